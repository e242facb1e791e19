"""The command line: python -m coprod.tally FILE.pb [--rule] [--utility] [--json]."""

import json
import subprocess
import sys
from pathlib import Path

from coprod.tally import count, read_pb

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "coprod.tally", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_json_prints_one_object_with_the_outcome(pb_path):
    path = pb_path("Netherlands_Assen_2024")
    done = _run(path, "--rule", "equalshares/add1", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    expected = count(read_pb(path), "equalshares/add1")
    assert result == {
        "rule": "equalshares/add1",
        "selected": expected.selected,
        "spent": expected.spent,
        "budget": expected.budget,
    }
    assert isinstance(result["spent"], int) and len(done.stdout.strip().splitlines()) == 1


def test_utility_and_default_rule(pb_path):
    path = pb_path("Poland_Warszawa_2026_Srodmiescie_Polnocne")
    done = _run(path, "--utility", "approval", "--json")
    assert json.loads(done.stdout)["rule"] == "greedy-threshold"
    done = _run(path, "--rule", "equalshares", "--utility", "approval", "--json")
    assert (
        json.loads(done.stdout)["selected"]
        == count(read_pb(path), "equalshares", "approval").selected
    )


def test_table_explains_each_project(pb_path):
    path = pb_path("Netherlands_Assen_2024")
    done = _run(path)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines[0].startswith("equalshares/add1")
    assert len(lines) == 1 + len(read_pb(path).projects)
    assert any("Not funded: in round" in line for line in lines)


def test_a_malformed_file_exits_2_with_the_line(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;x\nnum_projects;0\nnum_votes;0\nvote_type;approval\n")
    done = _run(bad)
    assert done.returncode == 2
    assert done.stderr.strip() == "line 3: budget is not a number: 'x'"
    assert done.stdout == ""


def test_an_unknown_rule_is_refused(tmp_path):
    done = _run(tmp_path / "none.pb", "--rule", "dictator")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_decimal_costs_print_in_the_table_and_json(tmp_path):
    file = tmp_path / "decimal.pb"
    file.write_text(
        "META\nkey;value\nbudget;100.5\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\na;50.25\nb;60\nVOTES\nvoter_id;vote\n1;a,b\n2;a\n"
    )
    table = _run(file)
    assert table.returncode == 0 and "spent 50.25 of 100.5" in table.stdout
    assert json.loads(_run(file, "--json").stdout)["budget"] == 100.5
