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
