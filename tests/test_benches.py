"""The benches still run, end to end, at a tiny size: their checks hold, their times are not
judged here (speed is measured in bench/, never in a timed test)."""

import importlib.util
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def run_bench(postgres_url: str, script: str, *args: str) -> str:
    """Run a bench on a database of its own beside the tests' one; its printed report.

    The bench drops and makes its database: named after the tests' own (test_x_bench_load),
    so two suites on one server, or two workers of one suite, never share it.
    """
    where = sa.engine.make_url(postgres_url)
    bench = where.set(database=f"{where.database}_bench_{script.removesuffix('.py')}")
    env = os.environ | {
        "BENCH_DATABASE_URL": bench.render_as_string(hide_password=False),
        "BENCH_REDIS_URL": os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"),
    }
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def free_port() -> int:
    """A port nobody listens on now: gunicorn's --reuse-port would share a fixed one with
    another suite's bench running at the same time."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_load_bench_casts_every_ballot_once_without_errors(postgres_url):
    if not os.environ.get("REDIS_TEST_URL"):
        pytest.skip("the load bench keeps its rate limits in Redis: set REDIS_TEST_URL")
    report = run_bench(
        postgres_url,
        "load.py",
        *("--seconds", "2", "--turns", "1", "--clients", "8", "--port", str(free_port())),
    )
    rows = dict(re.findall(r"^(casting path|trivial endpoint) .* (\d+)$", report, re.M))
    assert rows == {"casting path": "0", "trivial endpoint": "0"}, report  # errors
    assert re.search(r"ballots cast in the casting stretches: [1-9]", report), report
    assert "duplicate ballots" in report and "0; codes used = ballots stored: yes" in report


def test_the_results_bench_times_every_page(postgres_url):
    report = run_bench(
        postgres_url,
        "results.py",
        *("--ballots", "300", "--small", "100", "--requests", "2", "--no-downloads"),
    )
    assert "round: 300 ballots" in report, report
    for page in ("results page", "results + receipt", "API results JSON", "council dashboard"):
        assert re.search(rf"^{re.escape(page)} +[\d.]+", report, re.M), report


def test_the_conversation_bench_finds_the_hidden_groups_on_a_tiny_input(capsys, monkeypatch):
    # In this process: starting Python and scikit-learn again would cost more than the run.
    spec = importlib.util.spec_from_file_location(
        "bench_conversation", ROOT / "bench/conversation.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(sys, "argv", ["conversation.py", "--people", "60", "--statements", "20"])
    bench.main()
    assert "60 people x 20 statements" in capsys.readouterr().out


def test_the_city_bench_generates_the_same_city_and_counts_it():
    spec = importlib.util.spec_from_file_location("city", ROOT / "bench" / "city.py")
    city = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(city)
    one, again = city.generate(300, 12, seed=3), city.generate(300, 12, seed=3)
    assert one.votes == again.votes and len(one.votes) == 300 and len(one.projects) == 12
    assert all(1 <= len(v.choices) <= 5 for v in one.votes)
    assert all(len(set(v.choices)) == len(v.choices) for v in one.votes)
    done = subprocess.run(
        [sys.executable, "bench/city.py", "--voters", "300", "--projects", "12"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"300 ballots, 12 ideas: .* counted in .* peak memory", done.stdout)
