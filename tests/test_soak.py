"""The soak, short: one gunicorn serves every page, in every language, to a voter, a group
member and each staff role, 2,000 times on SQLite (the database `make run` gives a
newcomer, and the one a worker once died on), and neither answers a 5xx nor loses a worker.

The full run is `make bench`: 20,000 requests on SQLite, and on PostgreSQL too when
SOAK_DATABASE_URL names one, with memory flat within 10%. Here the memory check is loose,
as 2,000 requests are too few to tell warm-up from a leak, and no speed is judged.
Deselect with `-m "not soak"`.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.soak


def soak(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "bench/soak.py", "--requests", "2000", "--memory-tolerance", "1"]
        + ["--max-seconds", "600", *args],  # a bound for a stuck machine, not a speed check
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return done.stdout


def test_a_server_answers_every_page_thousands_of_times_without_an_error_or_a_crash():
    report = soak("--database-url", "")
    assert "5xx responses: 0\n" in report, report
    assert "worker deaths: 0; crash lines in the server log: 0" in report, report
    # Every kind of visitor took part, and at least one voter got as far as a receipt.
    assert re.search(r"^visitors: voter, .*member", report, re.M), report
    assert re.search(r"^ballots cast: [1-9]", report, re.M), report
