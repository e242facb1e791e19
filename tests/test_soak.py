"""The soak, short: one gunicorn serves every page, in every language, to a voter, a group
member and each staff role, and neither answers a 5xx nor loses a worker: 2,000 requests in
CI, 1,000 on SQLite and 1,000 on PostgreSQL.

The full run (20,000 requests, memory flat within 10%) is `python bench/soak.py`; here the
memory check is loose, as 1,000 requests are too few to tell warm-up from a leak, and no
speed is judged. Deselect with `-m "not soak"`.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.soak


def soak(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "bench/soak.py", "--requests", "1000", "--memory-tolerance", "1"]
        + ["--max-seconds", "600", *args],  # a bound for a stuck machine, not a speed check
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return done.stdout


def test_a_server_answers_every_page_thousands_of_times_without_an_error_or_a_crash(database):
    if database == "postgres":
        import sqlalchemy as sa

        try:
            report = soak("--database-url", PG_URL, "--schema", "soak_test")
        finally:  # the soak works in a schema of its own beside the tests' tables
            engine = sa.create_engine(PG_URL)
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS soak_test CASCADE"))
            engine.dispose()
    else:
        report = soak("--database-url", "")
    assert "5xx responses: 0\n" in report, report
    assert "worker deaths: 0; crash lines in the server log: 0" in report, report
    # Every kind of visitor took part, and at least one voter got as far as a receipt.
    assert re.search(r"^visitors: voter, .*member", report, re.M), report
    assert re.search(r"^ballots cast: [1-9]", report, re.M), report
