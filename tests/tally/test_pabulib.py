"""Reading and writing .pb files: real files, round trips, and malformed input."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coprod.tally import Election, PabulibError, Project, Vote, parse_pb, read_pb, write_pb
from coprod.tally.pabulib import _format

from .conftest import ALL

GOOD = """META
key;value
description;"A test; with ""quotes"" inside"
num_projects;3
num_votes;3
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;category
1;40;First;None
2;60.5;"Second;semi";green
10;30;;
VOTES
voter_id;vote;age
a;1,2;30
b;10;None
c;;41
"""


def test_reads_every_field_of_a_small_file():
    election = parse_pb(GOOD)
    assert election.meta["description"] == 'A test; with "quotes" inside'
    assert election.budget == 100 and election.vote_type == "approval"
    assert election.rule == "greedy"
    assert list(election.projects) == ["1", "2", "10"]
    assert election.projects["2"] == Project(
        "2", Fraction(121, 2), "Second;semi", {"category": "green"}
    )
    assert election.projects["1"].fields == {"category": None}
    assert election.votes[0] == Vote("a", ("1", "2"), None, {"age": "30"})
    assert election.votes[1].fields == {"age": None}
    assert election.votes[2].choices == ()


def test_crlf_bom_blank_lines_and_spaces_read_the_same():
    text = "\ufeff" + GOOD.replace("\n", "\r\n").replace("PROJECTS", "\r\n  PROJECTS ")
    text = text.replace("a;1,2;30", "a ; 1, 2 ;30")
    assert parse_pb(text) == parse_pb(GOOD)


def test_read_pb_takes_a_path_or_text(tmp_path):
    file = tmp_path / "x.pb"
    file.write_text(GOOD, encoding="utf-8")
    assert read_pb(file) == read_pb(str(file)) == read_pb(GOOD)


@pytest.mark.parametrize("name", ALL)
def test_shared_files_read_and_round_trip(election, name):
    e = election(name)
    assert len(e.projects) == int(e.meta["num_projects"])
    assert len(e.votes) == int(e.meta["num_votes"])
    assert all(set(v.choices) <= e.projects.keys() for v in e.votes)
    assert parse_pb(write_pb(e)) == e


def test_cumulative_points_are_read_as_numbers(election):
    e = election("Poland_Czestochowa_2020_Grabowka")
    assert e.vote_type == "cumulative"
    assert all(len(v.points) == len(v.choices) for v in e.votes)
    assert all(sum(v.points) <= int(e.meta["max_sum_points"]) for v in e.votes)


@pytest.mark.parametrize(
    ("value", "text"),
    [(12, "12"), (Fraction(1, 2), "0.5"), (Fraction(-1, 8), "-0.125"), (Fraction(7, 20), "0.35")],
)
def test_numbers_are_written_as_exact_decimals(value, text):
    assert _format(value) == text


def test_a_number_with_no_decimal_form_is_refused():
    with pytest.raises(ValueError, match="no exact decimal"):
        _format(Fraction(1, 3))


def _break(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


MALFORMED = [
    (GOOD.replace("META\nkey;value\n", "", 1), 1, "data before the META section"),
    (GOOD.split("VOTES")[0], 14, "missing section VOTES"),
    (GOOD.replace("PROJECTS\n", "VOTES\n", 1), 9, "section VOTES found, but PROJECTS is missing"),
    (_break("key;value", "key;val"), 2, "the META header must be key;value"),
    (_break("rule;greedy", "rule;greedy;x"), 8, "a META row needs 2 columns"),
    (_break("budget;100\n", ""), 1, "META has no budget"),
    (_break("vote_type;approval\n", ""), 1, "META has no vote_type"),
    (_break("budget;100", "budget;lots"), 6, "budget is not a number: 'lots'"),
    (_break("vote_type;approval", "vote_type;range"), 7, "unknown vote_type 'range'"),
    (_break("num_projects;3", "num_projects;4"), 4, "num_projects is 4 but there are 3"),
    (_break("num_votes;3", "num_votes;2"), 5, "num_votes is 2 but there are 3"),
    (_break("project_id;cost;name", "project_id;price;name"), 10, "has no cost column"),
    (_break("1;40;First;None", "1;40;First"), 11, "PROJECTS row has 3 columns, the header has 4"),
    (_break("10;30;;", "10;cheap;;"), 13, "cost of project 10 is not a number: 'cheap'"),
    (_break("10;30;;", "10;-30;;"), 13, "cost of project 10 is negative"),
    (_break("10;30;;", "2;30;;"), 13, "project 2 appears twice"),
    (_break("voter_id;vote;age", "voter_id;ballot;age"), 15, "VOTES header has no vote column"),
    (_break("b;10;None", "b;10,99;None"), 17, "vote b names project 99, which is not in PROJECTS"),
    (_break("b;10;None", "b;10,10;None"), 17, "vote b names a project twice"),
    (_break("c;;41", "a;;41"), 18, "voter a appears twice"),
    (_break("c;;41", "c;;41;x"), 18, "VOTES row has 4 columns"),
    (_break("voter_id;vote;age\na;1,2;30", "voter_id;vote;points\na;1,2;3,4"), 16, "has points"),
    # Hostile files: numbers no budget has, and a cell longer than csv will read.
    (_break("budget;100", "budget;" + "9" * 400), 6, "budget is too large: 400 characters"),
    (_break("budget;100", "budget;1" + "0" * 18), 6, "budget is too large: at most 18 digits"),
    (_break("10;30;;", "10;1e999999999;;"), 13, "cost of project 10 is too large"),
    (_break("num_votes;3", "num_votes;" + "3" * 30), 5, "num_votes is too large: 30 digits"),
    (_break("num_votes;3", "num_votes;\u00b3"), 5, "num_votes is not a whole number: '\u00b3'"),
    (_break("vote_type;approval", "vote_type;" + "x" * 500), 7, "unknown vote_type 'xxx"),
    (_break("First", "F" * 131_072), 11, "a cell is longer than 100,000 characters"),
    (_break("First", '"F\n' + "F" * 131_073 + '"'), 11, "a cell is longer than 100,000"),
]


@pytest.mark.parametrize(("text", "line", "reason"), MALFORMED)
def test_malformed_files_name_the_line_and_the_reason(text, line, reason):
    with pytest.raises(PabulibError) as caught:
        parse_pb(text)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"line {line}: ")
    assert len(str(caught.value)) < 200  # a hostile cell is not echoed back whole


CUMULATIVE = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
    "voter_id;vote;age\na;1,2;30\nb;10;None\nc;;41",
    "voter_id;vote;points\na;1,2;3,1\nb;10;4\nc;;",
)


def test_a_cumulative_file_reads_points():
    assert parse_pb(CUMULATIVE).votes[0].points == (3, 1)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("a;1,2;3,1", "a;1,2;3", "names 2 projects but gives 1 points"),
        ("a;1,2;3,1", "a;1,2;3,x", "points that are not numbers"),
        ("a;1,2;3,1", "a;1,2;3,-1", "negative points"),
        ("voter_id;vote;points", "voter_id;vote;pts", "VOTES header has no points column"),
        ("a;1,2;3,1", "a;1,2;3," + "1" * 400, "points that are too large"),
        ("a;1,2;3,1", "a;1,2;3,1e99999999", "points that are too large"),
        ("a;1,2;3,1", "a;1,2;3,1" + "0" * 18, "points that are too large"),
    ],
)
def test_points_that_do_not_fit_the_vote_type(old, new, reason):
    with pytest.raises(PabulibError, match=reason):
        parse_pb(CUMULATIVE.replace(old, new))


def test_choose_1_takes_one_project():
    text = _break("vote_type;approval", "vote_type;choose-1")
    with pytest.raises(PabulibError, match="line 16: vote a names 2 projects, but choose-1"):
        parse_pb(text)


def test_line_numbers_count_crlf_and_quoted_line_breaks():
    text = _break("First", '"First\nline two"').replace("\n", "\r\n")
    text = text.replace("b;10;None", "b;99;None")
    with pytest.raises(PabulibError, match="^line 18: vote b names project 99"):
        parse_pb(text)


# Round trips: any election write_pb can write is read back equal.
_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters=';"\n\r,'),
    max_size=12,
).map(str.strip)
_cell = _text.filter(lambda s: s.lower() != "none")
_ident = (
    st.text("abcXYZ019-_. ", min_size=1, max_size=6)
    .map(str.strip)
    .filter(lambda s: s and s.upper() not in ("META", "PROJECTS", "VOTES") and s.lower() != "none")
)
_decimal = (
    st.integers(0, 10**7)
    .map(lambda n: Fraction(n, 100))
    .map(lambda f: f.numerator if f.denominator == 1 else f)
)


@st.composite
def elections(draw) -> Election:
    vote_type = draw(st.sampled_from(["approval", "choose-1", "cumulative", "ordinal", "scoring"]))
    ids = draw(st.lists(_ident, min_size=1, max_size=6, unique=True))
    keys = draw(st.lists(_ident.filter(lambda s: s not in ("name",)), max_size=2, unique=True))
    projects = {}
    for pid in ids:
        fields = {k: draw(st.one_of(st.none(), _cell)) for k in keys}
        projects[pid] = Project(pid, draw(_decimal), draw(_cell), fields)
    voters = draw(st.lists(_ident, max_size=8, unique=True))
    vote_keys = draw(
        st.lists(_ident.filter(lambda s: s not in ("points",)), max_size=2, unique=True)
    )
    votes = []
    for voter in voters:
        size = (1, 1) if vote_type == "choose-1" else (0, len(ids))
        choices = tuple(
            draw(st.lists(st.sampled_from(ids), min_size=size[0], max_size=size[1], unique=True))
        )
        points = None
        if vote_type in ("cumulative", "scoring"):
            points = tuple(draw(st.lists(_decimal, min_size=len(choices), max_size=len(choices))))
        fields = {k: draw(st.one_of(st.none(), _cell)) for k in vote_keys}
        votes.append(Vote(voter, choices, points, fields))
    meta = {"description": draw(_text), "budget": str(draw(st.integers(0, 10**9)))}
    meta |= {"vote_type": vote_type, "num_projects": str(len(ids)), "num_votes": str(len(votes))}
    return Election(meta, projects, votes)


@given(elections())
@settings(max_examples=200, deadline=None)
def test_write_then_parse_gives_the_same_election(election):
    assert parse_pb(write_pb(election)) == election
