"""Fairness figures of a count: who got something, how much, EJR, and the other rule."""

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coprod.tally import Election, count
from coprod.tally import fairness as f
from coprod.tally.model import Vote


def _figures(budget, costs, ballots, selected, groups=None):
    return f.satisfaction(Election.build(budget, costs, ballots), selected, groups)


def test_share_with_a_winner_and_satisfaction_by_hand():
    # 12 voters: 6 chose a (funded, 60) and b (not, 40): 60%; 4 chose b: 0%; 2 chose a: 100%.
    ballots = [["a", "b"]] * 6 + [["b"]] * 4 + [["a"]] * 2
    out = _figures(100, {"a": 60, "b": 40}, ballots, ["a"])
    assert out["voters"] == 12 and out["with_a_winner"] == 8
    assert out["share_with_a_winner"] == round(8 / 12, 4)
    assert out["satisfaction"]["median"] == 0.6
    bands = {(b["low"], b["high"]): b["voters"] for b in out["satisfaction"]["bands"]}
    assert bands == {(0, 0): 4, (0, 25): 0, (25, 50): 0, (50, 75): 6, (75, 100): 0, (100, 100): 2}


def test_median_of_an_even_number_is_the_middle_two_averaged():
    assert f._median([Fraction(0), Fraction(1, 2), Fraction(1), Fraction(1)]) == Fraction(3, 4)


def test_points_ballots_count_only_positive_choices():
    votes = [Vote(str(i), ("a", "b"), (3, 0)) for i in range(10)]
    e = Election(
        {"budget": "10", "vote_type": "cumulative"},
        Election.build(10, {"a": 5, "b": 5}, []).projects,
        votes,
    )
    out = f.satisfaction(e, ["a"])
    assert out["satisfaction"]["median"] == 1.0  # b had no points: not chosen


def test_fewer_than_ten_voters_are_hidden_overall_and_by_group():
    few = _figures(10, {"a": 5}, [["a"]] * 9, ["a"], {"area": ["n"] * 5 + ["s"] * 4})
    assert few["hidden"] and few["share_with_a_winner"] is None and few["satisfaction"] is None
    assert few["by"] == {}
    groups = {"area": ["north"] * 10 + ["south"] * 3, "channel": ["online"] * 13}
    out = _figures(10, {"a": 5}, [["a"]] * 13, ["a"], groups)
    # South alone (3) would be everyone minus North: it is shown only with North.
    [together] = out["by"]["area"]
    assert together["together"] == ["north", "south"] and together["voters"] == 13
    assert "channel" not in out["by"]  # one group only: nothing to compare


def test_small_groups_are_shown_together_and_none_can_be_worked_out():
    # 30 in the north, 12 in the south, 4 in the east, 3 not known: east and not known
    # make only 7, so the south (the smallest shown) joins them.
    ballots = [["a"]] * 30 + [["b"]] * 12 + [["a"]] * 7
    areas = ["north"] * 30 + ["south"] * 12 + ["east"] * 4 + [None] * 3
    out = _figures(10, {"a": 5, "b": 5}, ballots, ["a"], {"area": areas})
    rows = out["by"]["area"]
    assert [r["group"] for r in rows] == ["north", None]
    assert rows[1]["together"] == [None, "east", "south"]
    assert rows[1]["voters"] == 19 and rows[1]["with_a_winner"] == 7
    assert all(r["voters"] >= f.MINIMUM for r in rows)


def test_voters_who_chose_nothing_are_left_out_and_unknown_groups_have_a_row():
    ballots = [["a"]] * 10 + [[]] * 5 + [["a"]] * 10
    out = _figures(10, {"a": 5}, ballots, [], {"language": ["en"] * 5 + [None] * 20})
    assert out["voters"] == 20 and out["share_with_a_winner"] == 0
    # the 5 who chose nothing are left out: 5 English, 15 not known, together
    [row] = out["by"]["language"]
    assert row["together"] == [None, "en"]
    assert row["voters"] == 20


def test_other_rule_names_the_differences():
    # Equal Shares funds the minority's b; greedy gives all to the majority's a1 and a2.
    ballots = [["a1", "a2"]] * 6 + [["b"]] * 4
    e = Election.build(100, {"a1": 50, "a2": 50, "b": 40}, ballots)
    ours = count(e, "equalshares")
    other = f.other_rule(e, ours)
    assert other["rule"] == "greedy" and other["selected"] == ["a1", "a2"]
    assert other["only_ours"] == ["b"] and other["only_theirs"] == ["a2"]
    assert f.other_rule(e, count(e, "greedy"))["rule"] == "equalshares/add1"
    # 6 of 10 voters prefer greedy's outcome, so the comparison rule took it
    compared = count(e, "equalshares-comparison")
    assert compared.details["chose"] == "greedy"
    assert f.other_rule(e, compared)["only_theirs"] == ["b"]


def test_ejr_by_hand():
    # 6 of 10 voters chose a1 and a2 (50 each of 100): they deserve both; greedy gives
    # them both, and the 4 who chose b (40) deserve b (4/10 * 100 >= 40) and get nothing.
    ballots = [["a1", "a2"]] * 6 + [["b"]] * 4
    e = Election.build(100, {"a1": 50, "a2": 50, "b": 40}, ballots)
    assert f.ejr(e, ["a1", "a2"]) == {"utility": "cost", "satisfied": False, "up_to_one": False}
    assert f.ejr(e, ["a1", "b"])["satisfied"]


def test_ejr_gives_up_rather_than_take_long(monkeypatch):
    monkeypatch.setattr(f, "EJR_LIMIT", 3)
    e = Election.build(100, {str(i): 1 for i in range(6)}, [[str(i) for i in range(6)]] * 10)
    assert f.ejr(e, [str(i) for i in range(6)])["satisfied"] is None


def _pabutools_ejr(e: Election, selected, utility):
    pb = pytest.importorskip("pabutools.election")
    jr = pytest.importorskip("pabutools.analysis.justifiedrepresentation")
    projects = {pid: pb.Project(pid, p.cost) for pid, p in e.projects.items()}
    instance = pb.Instance(projects.values(), budget_limit=e.budget)
    profile = pb.ApprovalProfile(
        [pb.ApprovalBallot(projects[c] for c in v.choices) for v in e.votes]
    )
    sat = pb.Cost_Sat if utility == "cost" else pb.Cardinality_Sat
    chosen = [projects[p] for p in selected]
    return (
        jr.is_EJR_approval(instance, profile, sat, chosen),
        jr.is_EJR_one_approval(instance, profile, sat, chosen),
    )


def _pabutools_pjr(e: Election, selected, utility):
    pb = pytest.importorskip("pabutools.election")
    jr = pytest.importorskip("pabutools.analysis.justifiedrepresentation")
    projects = {pid: pb.Project(pid, p.cost) for pid, p in e.projects.items()}
    instance = pb.Instance(projects.values(), budget_limit=e.budget)
    profile = pb.ApprovalProfile(
        [pb.ApprovalBallot(projects[c] for c in v.choices) for v in e.votes]
    )
    sat = pb.Cost_Sat if utility == "cost" else pb.Cardinality_Sat
    chosen = [projects[p] for p in selected]
    return (
        jr.is_PJR_approval(instance, profile, sat, chosen),
        jr.is_PJR_one_approval(instance, profile, sat, chosen),
    )


@st.composite
def tiny_elections(draw):
    ids = ["1", "2", "3", "4", "5"][: draw(st.integers(1, 5))]
    costs = {p: draw(st.sampled_from([1, 5, 10, 20, 30])) for p in ids}
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), unique=True), min_size=1, max_size=6))
    return Election.build(draw(st.integers(1, 60)), costs, ballots)


@given(
    tiny_elections(),
    st.sampled_from(["cost", "approval"]),
    st.sampled_from(["equalshares/add1", "greedy"]),
)
@settings(max_examples=60, deadline=None)
def test_ejr_agrees_with_pabutools_on_tiny_elections(e, utility, rule):
    selected = count(e, rule, utility).selected
    ours = f.ejr(e, selected, utility)
    assert (ours["satisfied"], ours["up_to_one"]) == _pabutools_ejr(e, selected, utility)
    if rule.startswith("equalshares"):
        assert ours["up_to_one"]  # Equal Shares always satisfies EJR up to one project


@given(
    tiny_elections(),
    st.sampled_from(["cost", "approval"]),
    st.sampled_from(["equalshares/add1", "greedy", "greedy-no-skip"]),
)
@settings(max_examples=60, deadline=None)
def test_pjr_agrees_with_pabutools_on_tiny_elections(e, utility, rule):
    selected = count(e, rule, utility).selected
    ours = f.pjr(e, selected, utility)
    assert (ours["satisfied"], ours["up_to_one"]) == _pabutools_pjr(e, selected, utility)
    ejr = f.ejr(e, selected, utility)
    if ejr["satisfied"]:  # EJR implies PJR
        assert ours["satisfied"]


def test_pjr_by_hand():
    # Two voters chose a and b (20 each) and have 2/3 of 60: enough for both. Greedy funds
    # c (most votes) and a: each of them gains 20 of the 40 they could have together.
    e = Election.build(60, {"a": 20, "b": 20, "c": 30}, [["a", "b"], ["a", "b"], ["c"]])
    assert f.pjr(e, ["a", "b"]) == {"utility": "cost", "satisfied": True, "up_to_one": True}
    assert f.pjr(e, ["c", "a"])["satisfied"] is False
    assert f.pjr(e, ["c", "a"])["up_to_one"] is True


def _cut(e: Election, voters: int, projects: int, seed: int) -> Election:
    """A few voters of a real election, keeping the projects they chose most (pabutools
    tries every group of voters, so it checks only a handful)."""
    rng = random.Random(seed)
    votes = rng.sample([v for v in e.votes if v.choices], voters)
    kept = list(dict.fromkeys(c for v in votes for c in v.choices))[:projects]
    costs = {p: e.projects[p].cost for p in kept}
    ballots = [[c for c in dict.fromkeys(v.choices) if c in costs] for v in votes]
    share = sum(costs.values()) * e.budget // sum(p.cost for p in e.projects.values())
    return Election.build(max(share, min(costs.values())), costs, ballots)


@pytest.mark.parametrize(
    "name", ["Netherlands_Assen_2024", "Poland_Krakow_2018_Wzgorza_Krzeslawickie"]
)
def test_ejr_agrees_with_pabutools_on_shared_elections(election, name):
    for seed in range(4):
        e = _cut(election(name), 8, 6, seed)
        for rule in ("greedy", "equalshares"):
            selected = count(e, rule).selected
            ours = f.ejr(e, selected)
            assert (ours["satisfied"], ours["up_to_one"]) == _pabutools_ejr(e, selected, "cost")
            pjr = f.pjr(e, selected)
            assert (pjr["satisfied"], pjr["up_to_one"]) == _pabutools_pjr(e, selected, "cost")


def test_fairness_of_a_shared_election(election):
    e = election("Netherlands_Assen_2024")
    outcome = count(e)
    out = f.fairness(e, outcome)
    assert set(out) >= {"share_with_a_winner", "satisfaction", "ejr", "other_rule", "by"}
    assert out["ejr"]["up_to_one"] is True
    assert sum(b["voters"] for b in out["satisfaction"]["bands"]) == out["voters"]
    assert 0 < out["share_with_a_winner"] <= 1


@given(tiny_elections(), st.lists(st.sampled_from(["n", "s", None]), min_size=6, max_size=6))
@settings(max_examples=60, deadline=None)
def test_the_figures_agree_with_each_other(e, areas):
    many = Election(e.meta, e.projects, e.votes * 4)  # past the minimum of 10, sometimes
    outcome = count(many, "equalshares/add1")
    groups = {"area": [areas[i % len(areas)] for i in range(len(many.votes))]}
    out = f.satisfaction(many, outcome.selected, groups)
    if out["hidden"]:
        assert sum(1 for v in many.votes if v.choices) < f.MINIMUM
        return
    bands = [b["voters"] for b in out["satisfaction"]["bands"]]
    assert sum(bands) == out["voters"]
    assert bands[0] == out["voters"] - out["with_a_winner"]  # every cost here is above 0
    assert 0 <= out["satisfaction"]["median"] <= 1
    rows = out["by"].get("area", [])
    assert all(not g["hidden"] and g["voters"] >= f.MINIMUM for g in rows)
    assert not rows or sum(g["voters"] for g in rows) == out["voters"]  # everyone, once
