"""Opinion groups from marks: the pure maths (no app, no database)."""

import csv
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coprod.conversation import grouping

POLIS = Path("/work/shared/polis")


def _two_sides(n_people=40, n_statements=12, seed=1):
    """Half agree with the first half of the statements and disagree with the rest; the
    other half the opposite; everyone agrees with statement 0; a few passes."""
    rng = random.Random(seed)
    marks = []
    for p in range(n_people):
        side = 1 if p < n_people // 2 else -1
        for s in range(n_statements):
            value = 1 if s == 0 else side if s <= n_statements // 2 else -side
            if rng.random() < 0.1:
                value = 0
            marks.append((f"person-{p}", s, value))
    return marks


def _partition(found: grouping.Grouping) -> set[frozenset]:
    return {frozenset(g) for g in found.groups}


def test_two_clear_sides_are_found():
    found = grouping.group(_two_sides())
    assert len(found.groups) == 2
    assert _partition(found) == {
        frozenset(f"person-{p}" for p in range(20)),
        frozenset(f"person-{p}" for p in range(20, 40)),
    }
    # Everyone agrees with statement 0, in every group.
    assert all(t[0].agree >= 15 for t in found.tallies)
    assert found.everyone[0].seen == 40


def test_people_with_too_few_marks_are_left_out_but_counted():
    marks = _two_sides() + [("newcomer", 1, 1), ("newcomer", 2, -1)]
    found = grouping.group(marks, min_marks=7)
    assert found.left_out == ["newcomer"]
    assert "newcomer" not in found.group_of()
    assert found.everyone[1].seen == 41


def test_a_later_mark_replaces_an_earlier_one_and_bad_values_are_refused():
    found = grouping.group([("a", 1, 1), ("a", 1, -1)], min_marks=1)
    assert found.everyone[1].agree == 0 and found.everyone[1].disagree == 1
    try:
        grouping.group([("a", 1, 2)])
    except ValueError:
        pass
    else:
        raise AssertionError("a mark of 2 was taken")


def test_tiny_inputs_do_not_fail():
    assert grouping.group([]).groups == []
    one = grouping.group([("a", 1, 1)], min_marks=1)
    assert one.groups == [["a"]]


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), clear=st.booleans())
def test_shuffling_and_renaming_people_or_statements_finds_the_same_groups(seed, clear):
    rng = random.Random(seed)
    if clear:  # two sides, with a little noise
        marks = _two_sides(n_people=30, n_statements=10, seed=seed)
        marks += [(f"person-{rng.randrange(30)}", rng.randrange(10), rng.choice((-1, 0, 1)))]
    else:  # no sides at all: the hardest case for a stable answer
        marks = [
            (f"person-{p}", s, rng.choice((-1, 0, 1)))
            for p in range(30)
            for s in range(10)
            if rng.random() < 0.8
        ]
    before = grouping.group(marks)
    shuffled = marks[:]
    rng.shuffle(shuffled)
    names = {f"person-{p}": f"x{rng.random()}" for p in range(30)}
    ids = list(range(10))
    rng.shuffle(ids)  # statements renamed, so their columns come in another order
    renamed = [(names[p], 1000 + ids[s], v) for p, s, v in marks]
    # Only the last mark on a pair counts: keep the pairs' last values in the shuffle.
    last = {(p, s): v for p, s, v in marks}
    shuffled = [(p, s, last[(p, s)]) for p, s, _v in shuffled]
    after = grouping.group(shuffled)
    back = {v: k for k, v in names.items()}
    again = grouping.group(renamed)
    assert _partition(after) == _partition(before)
    assert {frozenset(back[p] for p in g) for g in again.groups} == _partition(before)


def test_a_real_polis_conversation_splits_as_polis_found():
    """Seattle's $15 an hour: Pol.is found two groups; most people land as it put them."""
    folder = POLIS / "15-per-hour-seattle"
    with (folder / "votes.csv").open() as f:
        marks = [(r["voter-id"], int(r["comment-id"]), int(r["vote"])) for r in csv.DictReader(f)]
    # Pol.is exports votes oldest first; a voter's later vote replaces an earlier one.
    found = grouping.group(marks)
    with (folder / "participants-votes.csv").open() as f:
        theirs = {r["participant"]: r["group-id"] for r in csv.DictReader(f) if r["group-id"]}
    ours = found.group_of()
    both = [p for p in theirs if p in ours]
    assert len(found.groups) >= 2 and len(both) > 100
    # Agreement up to renaming the groups: the best matching of labels.
    pairs = {}
    for p in both:
        pairs[(ours[p], theirs[p])] = pairs.get((ours[p], theirs[p]), 0) + 1
    matched = sum(
        max(n for (o, _t), n in pairs.items() if o == g) for g in set(ours[p] for p in both)
    )
    assert matched / len(both) > 0.8


def test_everyone_marking_alike_is_one_group_not_an_error():
    """Four people agreeing with all three statements left PCA nothing to find (ARPACK
    refused a zero start vector): the results page of such a conversation was a 500."""
    marks = [(p, s, grouping.AGREE) for p in range(4) for s in range(3)]
    found = grouping.group(marks, min_marks=3)
    assert sorted(len(g) for g in found.groups) == [4] and found.everyone[0].agree == 4
