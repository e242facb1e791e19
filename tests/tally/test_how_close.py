""" "How close did it come": what each losing project needed, checked by recounting."""

import pytest

from coprod.tally import Election, count
from coprod.tally.model import Vote

from .conftest import MEDIUM, SMALL


def _with_more(e: Election, pid: str, n: int) -> Election:
    """The election with n more points for pid: n new voters choosing only it (approval,
    choose-1), or one new voter giving it n points (cumulative)."""
    if e.vote_type == "cumulative":
        extra = [Vote("extra", (pid,), (n,))] if n else []
    else:
        extra = [Vote(f"extra{i}", (pid,)) for i in range(n)]
    return Election(e.meta, e.projects, e.votes + extra)


def test_more_needed_by_hand():
    # £100; A (£60) 5 votes, B (£50) 4, C (£30) 1: A and C are funded; B needed 2 more
    # votes to pass A (ties go to the lower id: "A" < "B" so 5 is not enough).
    e = Election.build(100, {"A": 60, "B": 50, "C": 30}, [["A"]] * 5 + [["B"]] * 4 + [["C"]])
    b = count(e, "greedy").explanations["B"]
    assert b.reason == "did_not_fit" and b.amounts["more_needed"] == 2
    too_dear = Election.build(100, {"A": 60, "B": 150}, [["A"], ["B"]])
    assert "more_needed" not in count(too_dear, "greedy").explanations["B"].amounts


@pytest.mark.parametrize("name", SMALL + MEDIUM)
def test_every_losing_project_is_funded_with_what_it_needed_and_not_with_less(election, name):
    e = election(name)
    outcome = count(e)
    by_points = e.vote_type not in ("approval", "choose-1")
    for expl in outcome.explanations.values():
        if expl.reason in ("greedy", "did_not_fit", "not_reached", "below_threshold"):
            # Krakow's ordinal ballots are ranked by points: no sentence may say votes.
            assert bool(expl.amounts.get("by_points")) == by_points
        if expl.reason == "supporters_short":
            assert expl.amounts["short"] == pytest.approx(
                expl.amounts["cost"] - expl.amounts["money"]
            )
    if e.vote_type not in ("approval", "choose-1", "cumulative") or not outcome.rule.startswith(
        "greedy"
    ):
        return
    losing = [x for x in outcome.explanations.values() if "more_needed" in x.amounts]
    for expl in losing[:4]:  # a few per file keeps this fast
        n = expl.amounts["more_needed"]
        assert expl.project_id in count(_with_more(e, expl.project_id, n), outcome.rule).selected
        assert (
            expl.project_id
            not in count(_with_more(e, expl.project_id, n - 1), outcome.rule).selected
        )


def test_add1u_spends_what_add1_leaves_on_the_most_voted_that_fit():
    # £100 among 11 voters. Equal Shares funds B (6 voters, £40); A's 4 voters cannot
    # raise £70, nor C's one voter £40. Add1u gives the £60 left to the most voted that
    # fit: A (4 votes) costs £70, too much; C (1 vote, £40) fits.
    ballots = [["A"]] * 4 + [["B"]] * 6 + [["C"]]
    e = Election.build(100, {"A": 70, "B": 40, "C": 40}, ballots)
    add1 = count(e, "equalshares/add1")
    assert add1.selected == ["B"] and add1.spent == 40
    add1u = count(e, "equalshares/add1u")
    assert add1u.selected == ["B", "C"] and add1u.spent == 80
    a, c = add1u.explanations["A"], add1u.explanations["C"]
    assert c.reason == "completion" and c.step == 2
    assert c.amounts == {"votes": 1, "cost": 40, "left": 60}
    assert a.reason == "supporters_short" and a.amounts["left_at_end"] == 60


@pytest.mark.parametrize(
    "name", ["Netherlands_Assen_2024", "Poland_Katowice_2023_Ligota_-_Panewniki"]
)
def test_add1u_keeps_add1s_outcome_and_only_adds(election, name):
    e = election(name)
    add1, add1u = count(e, "equalshares/add1"), count(e, "equalshares/add1u")
    assert add1u.selected[: len(add1.selected)] == add1.selected
    assert add1.spent < add1u.spent <= e.budget
    left = e.budget - add1u.spent
    for expl in add1u.explanations.values():
        if not expl.funded and expl.votes:
            assert expl.amounts["left_at_end"] >= left and expl.amounts["cost"] > left


def test_the_fairness_bench_runs_on_a_tiny_file(pb_path, capsys):
    pb_path("Poland_Czestochowa_2020_Grabowka")  # skips without the shared files

    from bench.fairness import main

    assert main(["Poland_Czestochowa_2020_Grabowka"]) == 0
    assert "Poland_Czestochowa_2020_Grabowka" in capsys.readouterr().out
