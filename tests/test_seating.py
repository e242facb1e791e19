"""Mixed tables and representative panels: properties of the pure cores, and their files."""

import random
from collections import Counter
from itertools import combinations

import pytest

from coprod.seating import panel, tables
from coprod.seating.files import FileRefused
from coprod.seating.tables import Attendee

ROLES = ["resident", "officer", "councillor", "provider"]
ORGS = ["council", "nhs", "mosque", "school", "tenants", "none"]
LANGS = ["en", "ur", "so", "pl"]


def room(n: int = 60, seed: int = 3) -> list[Attendee]:
    """A room like a real workshop: mostly residents, two interpreters and their people."""
    rng = random.Random(seed)
    people = [
        Attendee(
            str(i), f"P{i}", rng.choice(ROLES[:1] * 3 + ROLES), rng.choice(ORGS), rng.choice(LANGS)
        )
        for i in range(n - 6)
    ]
    people += [
        Attendee("i-so", "Interpreter So", "provider", "interpreters", "en", interprets="so"),
        Attendee("i-ur", "Interpreter Ur", "provider", "interpreters", "en", interprets="ur"),
    ]
    people += [
        Attendee(f"s{k}", f"S{k}", "resident", "none", "so", needs_interpreter=True)
        for k in range(2)
    ]
    people += [
        Attendee(f"u{k}", f"U{k}", "resident", "none", "ur", needs_interpreter=True)
        for k in range(2)
    ]
    return people


def test_sixty_people_at_eight_tables_for_three_sessions_meet_the_mixing_targets():
    people = room()
    plan = tables.seat(people, tables=8, sessions=3, seed=1)
    assert len(plan) == 3
    interpreter = {"so": "i-so", "ur": "i-ur"}
    together_always = set()
    for p in people:
        if p.needs_interpreter:
            together_always.add(tuple(sorted((p.id, interpreter[p.language]))))
    together_always |= {("s0", "s1"), ("u0", "u1")}
    seen: Counter = Counter()
    for seating in plan:
        assert sorted(p.id for t in seating for p in t) == sorted(p.id for p in people)
        assert {len(t) for t in seating} <= {7, 8}  # even tables
        for t in seating:
            # never a table of one role when the room has several
            assert len({p.role for p in t}) > 1
            ids = {p.id for p in t}
            for p in t:  # interpreters sit with those they serve
                if p.needs_interpreter:
                    assert interpreter[p.language] in ids
            seen.update(tuple(sorted((a.id, b.id))) for a, b in combinations(t, 2))
    repeated = {pair for pair, n in seen.items() if n > 1}
    assert repeated <= together_always  # no pair together twice, except with an interpreter


def test_seating_is_the_same_for_the_same_seed_and_refuses_what_cannot_be():
    people = room(24)
    first = [[[p.id for p in t] for t in s] for s in tables.seat(people, 3, 2, seed=9)]
    again = [[[p.id for p in t] for t in s] for s in tables.seat(people, 3, 2, seed=9)]
    assert first == again
    alone = [Attendee("1", "A", "resident", language="so", needs_interpreter=True)]
    with pytest.raises(tables.SeatingFailed):
        tables.seat(alone + people[:5], 2)


def test_a_bad_people_file_is_refused_with_its_line_and_reason():
    good = (
        "name,role,organisation,language,needs_interpreter,interprets\n"
        "Amina,resident,,so,yes,\nJo,provider,x,en,,so\n"
    )
    people = tables.read_attendees(good)
    assert [p.needs_interpreter for p in people] == [True, False] and people[1].interprets == "so"
    for text, line, words in [
        ("name,organisation\nA,b\n", 1, "'role'"),
        ("name,role\nA,resident\nB\n", 3, "1 cells"),
        ("name,role\nA,\n", 2, "'role' cell is empty"),
        ("name,role,needs_interpreter\nA,resident,maybe\n", 2, "yes or no"),
        ("", 1, "empty"),
    ]:
        with pytest.raises(FileRefused) as refused:
            tables.read_attendees(text)
        assert refused.value.line == line and words in refused.value.reason


FEATURES = {
    "age": {"16-29": 0.25, "30-44": 0.25, "45-64": 0.3, "65+": 0.2},
    "gender": {"woman": 0.5, "man": 0.5},
    "area": {"north": 0.4, "south": 0.35, "east": 0.25},
    "language": {"en": 0.6, "ur": 0.25, "so": 0.15},
    "disability": {"yes": 0.2, "no": 0.8},
}


def volunteers(n: int = 500, seed: int = 5) -> list[panel.Volunteer]:
    """Volunteers who are NOT like the place: the young and English speakers come forward most."""
    rng = random.Random(seed)
    skew = {"16-29": 2.0, "en": 2.0, "no": 1.5}
    out = []
    for i in range(n):
        features = {}
        for f, shares in FEATURES.items():
            values = list(shares)
            weights = [shares[v] * skew.get(v, 1.0) for v in values]
            features[f] = rng.choices(values, weights)[0]
        out.append(panel.Volunteer(f"v{i:03d}", features))
    return out


def _meets_every_quota(pool, quotas, chosen_ids) -> bool:
    chosen = [v for v in pool if v.id in set(chosen_ids)]
    return all(
        q.least <= sum(v.features[f] == value for v in chosen) <= q.most
        for f, by in quotas.items()
        for value, q in by.items()
    )


def test_a_panel_of_thirty_from_five_hundred_meets_every_quota_and_the_seed_repeats():
    # The library's person-by-person method: a maximin draw of 500 costs ~33 s of CPU here
    # (sortition-algorithms reads the LP's solution one variable at a time), too much for
    # the suite; the maximin test below runs the same checks on a pool of 80.
    pool = volunteers()
    quotas = panel.quotas_from_shares(FEATURES, 30)
    first = panel.draw(pool, quotas, 30, seed=7, method="legacy")
    assert len(first.chosen) == 30 and first.all_met
    assert _meets_every_quota(pool, quotas, first.chosen)
    shuffled = list(reversed(pool))  # the file's order does not change the draw
    again = panel.draw(shuffled, quotas, 30, seed=7, method="legacy")
    assert again.chosen == first.chosen and again.inputs_sha256 == first.inputs_sha256
    assert panel.draw(pool, quotas, 30, seed=8, method="legacy").chosen != first.chosen


def test_a_maximin_draw_meets_every_quota_and_the_same_seed_gives_the_same_panel():
    pool = volunteers(80)
    quotas = panel.quotas_from_shares(FEATURES, 16)
    first = panel.draw(list(reversed(pool)), quotas, 16, seed=7)
    assert first.method == "maximin" and len(first.chosen) == 16 and first.all_met
    assert _meets_every_quota(pool, quotas, first.chosen)
    assert panel.draw(pool, quotas, 16, seed=7).chosen == first.chosen
    with pytest.raises(panel.DrawFailed):
        panel.draw(pool, quotas, 16, seed=0)  # the library would read 0 as "no seed"


def test_a_draw_that_cannot_work_says_why():
    pool = volunteers(40)
    quotas = panel.quotas_from_shares(FEATURES, 30)
    quotas["disability"]["yes"] = panel.Quota(25, 30)
    with pytest.raises(panel.DrawFailed) as failed:
        panel.draw(pool, quotas, 30, seed=1)
    assert "disability = yes needs 25" in str(failed.value)


def test_bad_volunteer_and_quota_files_are_refused_with_line_and_reason():
    quotas = panel.read_quotas("feature,value,min,max\nage,16-29,1,3\ngender,woman,2,2\n")
    assert quotas["age"]["16-29"] == panel.Quota(1, 3)
    for text, line, words in [
        ("feature,value,min,max\nage,16-29,3,1\n", 2, "more than max"),
        ("feature,value,min,max\nage,16-29,x,1\n", 2, "whole number"),
        ("feature,value,min,max\nage,a,1,1\nage,A,1,2\n", 3, "given twice"),
        ("feature,value,least\nage,a,1\n", 1, "'min'"),
    ]:
        with pytest.raises(FileRefused) as refused:
            panel.read_quotas(text)
        assert refused.value.line == line and words in refused.value.reason
    with pytest.raises(FileRefused) as refused:
        panel.read_volunteers("id,age\n1,16-29\n1,65+\n", ["age"])
    assert refused.value.line == 3 and "twice" in refused.value.reason
    with pytest.raises(FileRefused) as refused:
        panel.read_volunteers("id,age\n1,\n", ["age"])
    assert refused.value.line == 2


def test_the_seat_and_panel_commands_work_and_refuse_bad_files(tmp_path):
    from click.testing import CliRunner

    from coprod.cli import panel_command, seat_command

    runner = CliRunner()
    people = tmp_path / "people.csv"
    people.write_text(
        "name,role,organisation\n" + "".join(f"P{i},{ROLES[i % 4]},o{i % 3}\n" for i in range(12))
    )
    out = runner.invoke(seat_command, [str(people), "--tables", "3", "--sessions", "2"])
    assert out.exit_code == 0 and "Session 2" in out.output and "Table 3:" in out.output
    people.write_text("name,role\nA,resident\nB\n")
    out = runner.invoke(seat_command, [str(people), "--tables", "2"])
    assert out.exit_code == 1 and "line 3: this line has 1 cells" in out.output

    quotas, pool = tmp_path / "quotas.csv", tmp_path / "volunteers.csv"
    quotas.write_text("feature,value,min,max\ngender,woman,2,3\ngender,man,2,3\n")
    pool.write_text(
        "id,gender\n" + "".join(f"{i},{'woman' if i % 2 else 'man'}\n" for i in range(20))
    )
    args = [str(pool), "--size", "5", "--quotas", str(quotas), "--seed", "7"]
    first, again = runner.invoke(panel_command, args), runner.invoke(panel_command, args)
    assert first.exit_code == 0 and "Chosen: " in first.output and first.output == again.output
    pool.write_text("id,gender\n1,woman\n2,\n")
    out = runner.invoke(panel_command, args)
    assert out.exit_code == 1 and "volunteers.csv: line 3: the 'gender' cell is empty" in out.output
