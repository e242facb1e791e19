"""Equal Shares and add1 against a slow, obviously correct reference on small elections."""

from fractions import Fraction
from math import floor

import pytest
from hypothesis import example, given, note, settings
from hypothesis import strategies as st

from coprod.tally import Election, count
from coprod.tally import mes as mes_module


def _share(budgets: list[Fraction], cost) -> Fraction:
    """Least t with sum(min(b, t)) >= cost: try each voter as the first who can pay t."""
    budgets = sorted(budgets)
    for j, b in enumerate(budgets):
        t = Fraction(cost - sum(budgets[:j])) / (len(budgets) - j)
        if t <= b:
            assert sum(min(x, t) for x in budgets) == cost
            return t
    raise AssertionError("unaffordable")


def reference_mes(costs, ballots, endowment, by_cost, key) -> list[str]:
    """MES voter by voter, with Fractions; ties go to the least key."""
    money = [Fraction(endowment)] * len(ballots)
    supporters = {p: [i for i, b in enumerate(ballots) if p in b] for p in costs}
    free = sorted((p for p in costs if costs[p] == 0 and supporters[p]), key=key)
    left = {p for p in costs if costs[p] > 0 and supporters[p]}
    chosen = list(free)
    while True:
        best = None
        for p in sorted(left, key=key):
            if sum(money[i] for i in supporters[p]) < costs[p]:
                continue
            t = _share([money[i] for i in supporters[p]], costs[p])
            rho = t / costs[p] if by_cost else t
            if best is None or rho < best[0]:
                best = (rho, p, t)
        if best is None:
            return chosen
        _, p, t = best
        for i in supporters[p]:
            money[i] -= min(money[i], t)
        chosen.append(p)
        left.remove(p)


def reference_add1(costs, ballots, budget, by_cost, key) -> list[str]:
    """Run 0 at budget/n, run k at floor(budget/n) + k, while the outcome fits."""
    n = len(ballots)
    supported = {p for p in costs if any(p in b for b in ballots)}
    outcome = reference_mes(costs, ballots, Fraction(budget, n), by_cost, key)
    k = 1
    while set(outcome) != supported:
        following = reference_mes(costs, ballots, floor(Fraction(budget, n)) + k, by_cost, key)
        if sum(costs[p] for p in following) > budget:
            break
        outcome, k = following, k + 1
    return outcome


def tie_key(tie_break, costs, ballots):
    votes = {p: sum(p in b for b in ballots) for p in costs}
    return {
        "pabutools": lambda p: p,
        "votes": lambda p: (-votes[p], costs[p], p),
        "cost": lambda p: (costs[p], -votes[p], p),
    }[tie_break]


@st.composite
def small_elections(draw):
    ids = draw(
        st.lists(
            st.sampled_from(["1", "2", "3", "9", "10", "11"]), min_size=1, max_size=6, unique=True
        )
    )
    costs = {p: draw(st.sampled_from([0, 1, 5, 10, 12, 20, 30, 45, 60])) for p in ids}
    ballots = draw(st.lists(st.frozensets(st.sampled_from(ids)), min_size=1, max_size=7))
    budget = draw(st.integers(1, 150))
    return costs, ballots, budget


def _election(costs, ballots, budget):
    return Election.build(budget, costs, [sorted(b) for b in ballots])


RULE_CASES = st.sampled_from(["cost", "approval"]), st.sampled_from(["pabutools", "votes", "cost"])


@given(small_elections(), *RULE_CASES)
@settings(max_examples=300, deadline=None)
@example(({"9": 10, "10": 10}, [frozenset({"9"}), frozenset({"10"})], 20), "cost", "pabutools")
def test_equal_shares_matches_the_reference(case, utility, tie_break):
    costs, ballots, budget = case
    key = tie_key(tie_break, costs, ballots)
    expected = reference_mes(costs, ballots, Fraction(budget, len(ballots)), utility == "cost", key)
    outcome = count(_election(costs, ballots, budget), "equalshares", utility, tie_break)
    assert outcome.selected == expected
    # The exact run (Fractions in numpy object arrays) agrees too, and so do their payers.
    ids = sorted(costs, key=key)
    rank = {p: i for i, p in enumerate(ids)}
    profile = mes_module.Profile(
        [costs[p] for p in ids],
        [[rank[p] for p in b] for b in ballots],
        list(range(len(ids))),
        utility == "cost",
    )
    x = Fraction(budget, len(ballots))
    exact = mes_module.run(profile, x, exact=True)
    assert [ids[q] for q in exact.winners] == expected
    solved = mes_module.solve(profile, x)
    assert {w: solved.payers[w][0] for w in solved.winners} == {
        w: exact.payers[w][0] for w in exact.winners
    }


@given(small_elections(), *RULE_CASES)
@settings(max_examples=200, deadline=None)
def test_add1_matches_the_reference(case, utility, tie_break):
    costs, ballots, budget = case
    key = tie_key(tie_break, costs, ballots)
    expected = reference_add1(costs, ballots, budget, utility == "cost", key)
    outcome = count(_election(costs, ballots, budget), "equalshares/add1", utility, tie_break)
    assert outcome.selected == expected
    assert outcome.spent <= budget


@st.composite
def long_stretches(draw):
    # Endowments far above the costs: add1 runs through thousands of increments, most
    # of them skipped.
    ids = draw(
        st.lists(st.sampled_from(["1", "2", "3", "10"]), min_size=1, max_size=4, unique=True)
    )
    costs = {p: draw(st.integers(500, 2000)) for p in ids}
    ballots = draw(st.lists(st.frozensets(st.sampled_from(ids)), min_size=2, max_size=5))
    return costs, ballots, draw(st.integers(1000, 3000))


@given(long_stretches(), *RULE_CASES)
@settings(max_examples=40, deadline=None)
def test_add1_skips_increments_correctly(case, utility, tie_break):
    costs, ballots, budget = case
    key = tie_key(tie_break, costs, ballots)
    expected = reference_add1(costs, ballots, budget, utility == "cost", key)
    outcome = count(_election(costs, ballots, budget), "equalshares/add1", utility, tie_break)
    assert outcome.selected == expected
    note(f"increments: {outcome.details['increment']}")


def test_ties_follow_pabutools_string_order():
    # Two identical projects: pabutools funds "10" before "9", as strings compare.
    election = _election({"9": 10, "10": 10}, [{"9", "10"}] * 2, 10)
    assert count(election, "equalshares").selected == ["10"]
    assert count(election, "equalshares", tie_break="votes").selected == ["10"]
    cheaper = _election({"9": 10, "10": 11}, [{"9", "10"}] * 2, 11)
    assert count(cheaper, "equalshares", utility="approval", tie_break="cost").selected == ["9"]


def test_add1_does_not_stop_at_the_first_exhaustive_outcome():
    # Run 0 funds A (exhaustive: B no longer fits); later runs fund the cheaper B + C,
    # which fits too. pabutools' voter_budget_increment=1 would stop at A.
    costs = {"A": 6, "B": 3, "C": 3}
    ballots = [{"A"}, {"A"}, {"B"}, {"C"}] + [{"A", "B", "C"}]
    key = tie_key("pabutools", costs, ballots)
    election = _election(costs, ballots, 7)
    expected = reference_add1(costs, ballots, 7, True, key)
    assert count(election, "equalshares/add1").selected == expected
    first = reference_mes(costs, ballots, Fraction(7, 5), True, key)
    assert first != expected


def test_add1_stops_when_everything_supported_is_funded():
    election = _election({"a": 10, "b": 10, "c": 99}, [{"a"}, {"b"}, {"a", "b"}], 1000)
    assert set(count(election, "equalshares/add1").selected) == {"a", "b"}


def test_floats_and_fractions_agree_on_real_files(election):
    e = election("Poland_Warszawa_2026_Srodmiescie_Polnocne")
    outcome = count(e, "equalshares")
    ids = list(e.projects)
    index = {p: i for i, p in enumerate(ids)}
    rank = sorted(range(len(ids)), key=ids.__getitem__)
    profile = mes_module.Profile(
        [e.projects[p].cost for p in ids],
        [[index[p] for p in v.choices] for v in e.votes],
        [rank.index(q) for q in range(len(ids))],
        True,
    )
    x = Fraction(e.budget, len(e.votes))
    fast, exact = mes_module.run(profile, x), mes_module.run(profile, x, exact=True)
    assert [ids[q] for q in fast.winners] == [ids[q] for q in exact.winners] == outcome.selected
    for w in exact.winners:  # the same voters pay in full, in part or not at all
        full, partial, paid, empty = fast.payers[w]
        assert (full, partial, empty) == (
            exact.payers[w][0],
            exact.payers[w][1],
            exact.payers[w][3],
        )
        assert fast.share[w] == pytest.approx(float(exact.share[w]), rel=1e-12)
        assert paid == pytest.approx(float(exact.payers[w][2]), rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("rule", ["equalshares", "equalshares/add1"])
def test_payments_add_up_to_each_cost(election, rule):
    e = election("Netherlands_Assen_2024")
    outcome = count(e, rule)
    for pid in outcome.selected:
        a = outcome.explanations[pid].amounts
        paid = a["full_payers"] * a["share"] + a["partial_paid"]
        assert paid == pytest.approx(a["cost"])
        assert a["partial_paid"] <= a["partial_payers"] * a["share"]


def test_decisions_too_close_for_floats_are_redone_with_fractions():
    # The only supporter of "a" has exactly its cost: rounding could go either way.
    profile = mes_module.Profile([1, 6], [[0], []], [0, 1], True)
    done = mes_module.run(profile, Fraction(1))
    # That round was done in rationals, from exact budgets: its share is exact.
    assert done.winners == [0] and done.share[0] == Fraction(1)
    assert isinstance(done.share[0], Fraction)
    assert mes_module.solve(profile, Fraction(1)).winners == [0]
    assert count(Election.build(2, {"a": 1, "b": 6}, [["a"], []]), "equalshares").selected == ["a"]


def _profile(costs, ballots, tie_break, utility):
    key = tie_key(tie_break, costs, ballots)
    ids = sorted(costs, key=key)
    rank = {p: i for i, p in enumerate(ids)}
    chosen = [[rank[p] for p in b] for b in ballots]
    profile = mes_module.Profile(
        [costs[p] for p in ids], chosen, list(range(len(ids))), utility == "cost"
    )
    return profile, ids


@given(st.one_of(small_elections(), long_stretches()), *RULE_CASES)
@settings(max_examples=150, deadline=None)
def test_add1_skipping_runs_gives_what_stepping_one_by_one_gives(case, utility, tie_break):
    costs, ballots, budget = case
    profile, ids = _profile(costs, ballots, tie_break, utility)
    fast, k = mes_module.add1(profile, budget)
    slow, unit_k = mes_module.add1_unit_step(profile, budget)
    assert fast.winners == slow.winners
    assert (k, fast.endowment) == (unit_k, slow.endowment)
    assert fast.share == slow.share  # what each full payer paid: the explanations' figures


# Files whose add1 ends within a few thousand increments: stepping one by one takes
# seconds at most there (Jozsefvaros 2022 runs 153,144 increments: bench only).
UNIT_STEP_FILES = [
    "Netherlands_Assen_2024",
    "Poland_Krakow_2018_Wzgorza_Krzeslawickie",
    "Poland_Czestochowa_2020_Grabowka",
    "Poland_Warszawa_2026_Srodmiescie_Polnocne",
]


@pytest.mark.parametrize("name", UNIT_STEP_FILES)
def test_add1_on_shared_files_is_the_one_by_one_definition(election, name):
    from coprod.tally.rules import _tally

    t = _tally(election(name), "pabutools")
    for by_cost in (True, False):
        profile = mes_module.Profile(t.cost, t.chosen, t.rank, by_cost, t.weight)
        fast, k = mes_module.add1(profile, election(name).budget)
        slow, unit_k = mes_module.add1_unit_step(profile, election(name).budget)
        assert (fast.winners, k) == (slow.winners, unit_k)


def test_exact_runs_give_fractions_and_agree_with_floats():
    # Two voters hold exactly the cost of "a": the float run cannot tell, the exact one can.
    profile = mes_module.Profile([2, 3], [[0], [0, 1]], [0, 1], True)
    exact = mes_module.run(profile, 1, exact=True)
    assert exact.winners == [0]
    assert isinstance(exact.share[0], Fraction) and exact.share[0] == 1
    assert exact.dropped == {1: (2, Fraction(0))}
