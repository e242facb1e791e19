"""Rounds whose money is in pots: one per area, and one for the whole place.

The example used throughout (see `make_pot_round`): Northfield's pot £5,000 (N1 £3,000,
N2 £2,500), Southbank's £6,000 (S1 £4,000, S2 £2,000), and all of Brookfield's £10,000
(W1 £6,000, W2 £5,000).
"""

import json

from sqlalchemy import func, select

from coprod import tally
from coprod.extensions import db
from coprod.models import Ballot, BallotChoice, Count, Phase, Pot, Remedy, Role, Round
from coprod.operations import ballots, codes, counting, paper
from coprod.operations.ballots import CastError
from coprod.operations.phase import change_phase
from coprod.operations.transfer import export_round, import_round
from tests.conftest import csrf_token
from tests.factories import make_pot_round, make_user, pot_of
from tests.test_participate import enter
from tests.test_staff import sign_in

SECRET = "test-secret"


def _remedies(rnd: Round, area: str | None) -> list[Remedy]:
    pot = pot_of(rnd, area)
    return [r for r in rnd.remedies if r.pot_id == pot.id]


def _title(remedy: Remedy) -> str:
    return remedy.t("title", "en").text


def _code(rnd: Round, area: str | None) -> str:
    area_id = pot_of(rnd, area).area_id if area else None
    [made] = codes.make_codes(SECRET, rnd, 1, area_id=area_id)
    db.session.commit()
    return made


def test_a_voter_sees_and_can_choose_only_their_areas_pot_and_the_whole_place(app, client):
    rnd = make_pot_round()
    north, south, whole = (_remedies(rnd, a) for a in ("Northfield", "Southbank", None))
    enter(client, rnd, _code(rnd, "Northfield"))
    page = client.get(f"/rounds/{rnd.slug}/ballot").get_data(as_text=True)
    assert "Your area: Northfield — \u2068£5,000\u2069 to share" in page
    assert "The whole place — \u2068£10,000\u2069 to share" in page
    assert "Southbank" not in page
    for remedy in north + whole:
        assert _title(remedy) in page
    for remedy in south:
        assert _title(remedy) not in page
    # A Southbank idea cannot be slipped in by hand; a Northfield one can be chosen.
    token = csrf_token(client, f"/rounds/{rnd.slug}/ballot")
    for added in (south[0], north[1]):
        client.post(f"/rounds/{rnd.slug}/ballot", data={"add": added.id, "csrf_token": token})
    review = client.get(f"/rounds/{rnd.slug}/review").get_data(as_text=True)
    assert _title(north[1]) in review and _title(south[0]) not in review
    assert "You chose this 1 idea (\u2068£2,500\u2069 of \u2068£5,000\u2069)." in review


def test_over_budget_in_one_pot_is_refused_naming_it_and_the_other_pots_choices_stay(app, client):
    rnd = make_pot_round()
    north, whole = _remedies(rnd, "Northfield"), _remedies(rnd, None)
    enter(client, rnd, _code(rnd, "Northfield"))
    token = csrf_token(client, f"/rounds/{rnd.slug}/ballot")
    for remedy in (*north, whole[0]):  # £5,500 of Northfield's £5,000
        client.post(f"/rounds/{rnd.slug}/ballot", data={"add": remedy.id, "csrf_token": token})
    review = client.get(f"/rounds/{rnd.slug}/review").get_data(as_text=True)
    assert (
        "Northfield: Your choices cost \u2068£5,500\u2069, but there is only \u2068£5,000\u2069. "
        "Please take something off." in review
    )
    assert "The whole place:" not in review
    chosen = [str(r.id) for r in (*north, whole[0])]
    cast = client.post(
        f"/rounds/{rnd.slug}/cast",
        data={"choice": chosen, "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Northfield: Your choices cost \u2068£5,500\u2069" in cast
    assert cast.count("Chosen") == 3  # the whole place's choice is kept, and both others
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_a_ballot_in_two_pots_is_one_ballot_with_one_receipt(app, client):
    rnd = make_pot_round()
    north, whole = _remedies(rnd, "Northfield"), _remedies(rnd, None)
    enter(client, rnd, _code(rnd, "Northfield"))
    token = csrf_token(client, f"/rounds/{rnd.slug}/ballot")
    chosen = [str(north[0].id), str(whole[1].id)]
    cast = client.post(
        f"/rounds/{rnd.slug}/cast",
        data={"choice": chosen, "csrf_token": token},
        follow_redirects=True,
    )
    assert "Thank you. Your ballot is in." in cast.get_data(as_text=True)
    [ballot] = db.session.scalars(select(Ballot)).all()
    assert ballot.area_id == pot_of(rnd, "Northfield").area_id
    assert sorted(c.remedy_id for c in ballot.choices) == sorted(map(int, chosen))


def test_rules_are_checked_pot_by_pot(app):
    rnd = make_pot_round(min_spend_percent=50)
    rules = ballots.frozen_rules(rnd)
    north, south, whole = (_remedies(rnd, a) for a in ("Northfield", "Southbank", None))
    north_area = pot_of(rnd, "Northfield").area_id
    northern = pot_of(rnd, "Northfield")
    # Only the whole place's pot chosen: Northfield's minimum spend does not apply.
    assert ballots.check(rules, [str(whole[0].id)], north_area) == []
    # £2,500 of Northfield's £5,000 is its minimum, met; S1 is not on this voter's ballot.
    assert ballots.check(rules, [str(north[1].id)], north_area) == []
    assert ballots.check(rules, [str(south[0].id)], north_area)[0].code == "unknown_remedy"
    # A code with no area votes in the whole place's pot only.
    assert ballots.check(rules, [str(whole[1].id)], None) == []
    assert ballots.check(rules, [str(north[0].id)], None)[0].code == "unknown_remedy"
    # Too little in one pot names that pot.
    rules = rules | {"min_choices": 2}
    [too_few] = ballots.check(rules, [str(north[0].id)], north_area)
    assert too_few.code == "too_few" and too_few.params["pot"] == str(northern.id)
    # Without a whole-place pot, a code without an area has nothing to vote in.
    rnd2 = make_pot_round(pots={"Eastend": (1000, (500,)), "Westend": (1000, (700,))})
    assert [p.code for p in ballots.check(ballots.frozen_rules(rnd2), ["1"], None)] == ["no_pot"]


def _vote_the_example(rnd: Round) -> None:
    """Six ballots, hand-checked below: three from Northfield, three from Southbank."""
    n1, n2 = _remedies(rnd, "Northfield")
    s1, s2 = _remedies(rnd, "Southbank")
    w1, w2 = _remedies(rnd, None)
    for area, chosen in (
        ("Northfield", (n1, w1)),
        ("Northfield", (n1, w2)),
        ("Northfield", (n2,)),
        ("Southbank", (s1, w1)),
        ("Southbank", (s1, w2)),
        ("Southbank", (s2, w1)),
    ):
        ballots.cast(SECRET, rnd, _code(rnd, area), [str(r.id) for r in chosen])
    db.session.commit()


def test_each_pot_is_counted_on_its_own_with_its_own_budget_and_voters(app):
    rnd = make_pot_round()
    _vote_the_example(rnd)
    change_phase(rnd, Phase.COUNTED)
    counting.count_pots(rnd)
    db.session.commit()
    counts = {c.pot_id: c for c in db.session.scalars(select(Count))}
    assert len(counts) == 3
    n1, _n2 = _remedies(rnd, "Northfield")
    s1, s2 = _remedies(rnd, "Southbank")
    w1, _w2 = _remedies(rnd, None)
    # By hand, Equal Shares: Northfield's 3 voters have £1,667 each; N1's two pay £1,500
    # each; N2's one voter has too little, and £2,000 left is not enough for it.
    # Southbank's 3 voters have £2,000 each: S1's two pay it all, S2's one pays £2,000.
    # The whole place's 5 voters have £2,000 each: W1's three pay £6,000; W2's two
    # have £4,000, short of £5,000.
    expected = {
        "Northfield": ([n1], 3, 3000),
        "Southbank": ([s1, s2], 3, 6000),
        None: ([w1], 5, 6000),
    }
    for area, (funded, voters, spent) in expected.items():
        count = counts[pot_of(rnd, area).id]
        assert count.selected == [str(r.id) for r in funded], area
        assert (count.ballots, count.spent) == (voters, spent), area
        # The tally core, on this pot's election built by hand, picks the same.
        pot = pot_of(rnd, area)
        mine = {str(r.id) for r in rnd.remedies if r.pot_id == pot.id}
        votes = []
        for ballot in db.session.scalars(select(Ballot).order_by(Ballot.receipt_hash)):
            chosen = tuple(str(c.remedy_id) for c in ballot.choices if str(c.remedy_id) in mine)
            if chosen:
                votes.append(tally.Vote(voter_id=str(len(votes) + 1), choices=chosen))
        election = tally.Election(
            meta={"budget": str(pot.budget)},
            projects={
                str(r.id): tally.Project(id=str(r.id), cost=r.cost)
                for r in rnd.remedies
                if r.pot_id == pot.id
            },
            votes=votes,
        )
        outcome = tally.count(election, rule=rnd.tally_rule, utility=rnd.tally_utility)
        assert list(outcome.selected) == count.selected, area
    # Each count's checksum is of its own pot's ballots, so they all differ.
    assert len({c.inputs_sha256 for c in counts.values()}) == 3


def test_closing_counts_every_pot_in_one_go_and_results_show_each_pot(app, client):
    rnd = make_pot_round()
    _vote_the_example(rnd)
    north_code = _code(rnd, "Northfield")
    n1, w2 = _remedies(rnd, "Northfield")[0], _remedies(rnd, None)[1]
    receipt = ballots.cast(SECRET, rnd, north_code, [str(n1.id), str(w2.id)])
    db.session.commit()
    organiser = make_user(Role.ORGANISER)
    sign_in(client, organiser)
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}")
    client.post(f"/staff/rounds/{rnd.slug}/phase", data={"csrf_token": token, "to": "counted"})
    assert db.session.scalar(select(func.count(Count.id))) == 0  # counted tonight, or now:
    client.post(f"/staff/rounds/{rnd.slug}/count", data={"csrf_token": token})
    assert db.session.scalar(select(func.count(Count.id))) == 3
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    for heading in (
        "Northfield — \u2068£5,000\u2069 to share",
        "Southbank — \u2068£6,000\u2069 to share",
        "The whole place — \u2068£10,000\u2069 to share",
    ):
        assert heading in page
    assert "4 ballots were counted." in page and "5 ballots were counted." not in page
    # A receipt shows the voter's choices pot by pot, and which got the money.
    token = csrf_token(client, f"/rounds/{rnd.slug}/results")
    story = client.post(
        f"/rounds/{rnd.slug}/results", data={"receipt": receipt, "csrf_token": token}
    ).get_data(as_text=True)
    mine = story[story.index('id="your-ballot"') :]
    assert "<h3>Northfield</h3>" in mine and "<h3>The whole place</h3>" in mine
    # With this ballot the whole place's W2 has 3 of 6 voters (£5,000 of their £10,000).
    assert mine.count("Your ballot helped to pay for:") == 2
    assert _title(n1) in mine and _title(w2) in mine
    check = client.post(
        f"/rounds/{rnd.slug}/check",
        data={"receipt": receipt, "csrf_token": csrf_token(client, f"/rounds/{rnd.slug}/check")},
    ).get_data(as_text=True)
    assert "Your ballot is in the count." in check and "Northfield</h2>" in check
    # The open data: one .pb per pot, named after it; the whole round's needs a pot.
    whole = pot_of(rnd, None)
    pb = client.get(f"/rounds/{rnd.slug}/ballots.pb?pot={whole.id}")
    assert f'filename="{rnd.slug}-whole.pb"' in pb.headers["Content-Disposition"]
    election = tally.parse_pb(pb.get_data(as_text=True))
    assert election.meta["budget"] == "10000" and len(election.votes) == 6
    assert client.get(f"/rounds/{rnd.slug}/ballots.pb").status_code == 404
    api = client.get(f"/api/v1/rounds/{rnd.slug}/results").get_json()
    assert [p["budget"] for p in api["pots"]] == [10000, 5000, 6000]


def test_turnout_per_pot_is_against_its_areas_people_and_languages(app, client):
    rnd = make_pot_round()
    _vote_the_example(rnd)
    organiser = make_user(Role.ORGANISER)
    sign_in(client, organiser)
    page = client.get(f"/staff/council/rounds/{rnd.slug}").get_data(as_text=True)
    table = page[page.index("Ballots in each pot, against the people living there") :]
    table = table[: table.index("</table>")]
    # Northfield: 3 of 10,000; Southbank: 3 of 15,000; the whole place: 5 of 25,000.
    assert '<th scope="row">Northfield</th><td class="num">3</td>' in table
    assert "10000" in table and "15000" in table and "25000" in table
    assert "Northfield: ballots by the language people used" in page
    change_phase(rnd, Phase.COUNTED)
    counting.count_pots(rnd)
    db.session.commit()
    counted = client.get(f"/staff/council/rounds/{rnd.slug}").get_data(as_text=True)
    assert '<th scope="row">The whole place</th><td class="num">5</td>' in counted
    whole = db.session.scalar(select(Count).where(Count.pot_id == pot_of(rnd, None).id))
    assert whole.summary["turnout"]["languages"] == [["en", 5]]


def test_codes_and_letters_say_their_area_which_is_needed_in_a_round_with_area_pots(app, client):
    rnd = make_pot_round()
    organiser = make_user(Role.ORGANISER)
    sign_in(client, organiser)
    page = client.get(f"/staff/rounds/{rnd.slug}").get_data(as_text=True)
    assert "Area of the homes these letters go to" in page
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}")
    url = f"/staff/rounds/{rnd.slug}/codes"
    refused = client.post(
        url, data={"count": 2, "lang": "en", "csrf_token": token}, follow_redirects=True
    )
    assert "Please choose the area of the homes these letters go to." in refused.get_data(
        as_text=True
    )
    south = pot_of(rnd, "Southbank").area_id
    letters = client.post(
        url, data={"count": 2, "lang": "ur", "area": south, "csrf_token": token}
    ).get_data(as_text=True)
    assert letters.count("Southbank") == 2
    assert db.session.scalars(select(Ballot.id)).all() == []
    stored = db.session.execute(select(func.count(), func.min(codes.VoterCode.area_id))).one()
    assert tuple(stored) == (2, south)


def test_paper_ballots_and_the_api_follow_the_codes_area(app, client):
    rnd = make_pot_round()
    typist = make_user(Role.ORGANISER)
    north, south = _remedies(rnd, "Northfield"), _remedies(rnd, "Southbank")
    try:
        paper.enter_paper(SECRET, rnd, "1", _code(rnd, "Southbank"), [str(north[0].id)], typist)
    except CastError as refused:
        assert refused.problems[0].code == "unknown_remedy"
    else:
        raise AssertionError("a Northfield idea was taken on a Southbank paper")
    sign_in(client, typist)
    page = client.get(f"/staff/rounds/{rnd.slug}/paper").get_data(as_text=True)
    assert "<legend>Southbank</legend>" in page and "<legend>The whole place</legend>" in page
    body = {"code": _code(rnd, "Southbank"), "choices": [str(south[0].id), str(north[0].id)]}
    refused = client.post(f"/api/v1/rounds/{rnd.slug}/ballots", json=body)
    assert refused.status_code == 422
    body["choices"] = [str(south[0].id)]
    assert client.post(f"/api/v1/rounds/{rnd.slug}/ballots", json=body).status_code == 201
    detail = client.get(f"/api/v1/rounds/{rnd.slug}").get_json()
    assert sorted(p["budget"] for p in detail["pots"]) == [5000, 6000, 10000]


def test_a_round_with_pots_goes_out_and_comes_back_and_old_files_still_read(app):
    rnd = make_pot_round()
    _vote_the_example(rnd)
    change_phase(rnd, Phase.COUNTED)
    counting.count_pots(rnd)
    db.session.commit()
    data = json.loads(json.dumps(export_round(rnd)))
    assert data["format"] == "coprod-round/4" and len(data["pots"]) == 3
    copy = import_round(data, slug="copy")
    db.session.commit()
    assert sorted(p.budget for p in copy.pots) == [5000, 6000, 10000]
    whole = next(p for p in copy.pots if p.area_id is None)
    assert {r.pot_id for r in copy.remedies} == {p.id for p in copy.pots}
    count = db.session.scalar(select(Count).where(Count.pot_id == whole.id))
    assert count.ballots == 5
    assert {p["id"] for p in copy.frozen_rules["pots"]} == {str(p.id) for p in copy.pots}
    assert set(copy.frozen_rules["pot_of"].values()) == {str(p.id) for p in copy.pots}
    # A file from before pots (coprod-round/2) has none and is still read.
    old = json.loads(json.dumps(data))
    old["format"] = "coprod-round/2"
    for part in ("pots",):
        del old[part]
    for r in old["remedies"]:
        del r["pot"]
    for c in old["counts"]:
        del c["pot"]
    old["round"]["frozen_rules"] = {
        k: v for k, v in old["round"]["frozen_rules"].items() if k not in ("pots", "pot_of")
    }
    older = import_round(old, slug="older")
    db.session.commit()
    assert older.pots == [] and len(older.remedies) == 6
    assert db.session.scalar(select(func.count(Pot.id))) == 6
    assert db.session.scalar(select(func.count(BallotChoice.id))) == 3 * 11


def test_a_proposal_in_a_round_with_pots_says_which_pot_and_moderators_see_it(app, client):
    from tests.test_propose import make_group, post_proposal, remedies_of

    rnd = make_pot_round(Phase.PROPOSING)
    group = make_group()
    sign_in(client, make_user(group=group))
    form = client.get(f"/rounds/{rnd.slug}/propose").get_data(as_text=True)
    assert "The money it asks from" in form and "The whole place" in form
    # Not chosen: refused beside the box, the rest kept, nothing stored.
    missing = post_proposal(client, rnd, pot="").get_data(as_text=True)
    assert "Please choose which money your idea asks from." in missing
    assert "Ten volunteers and our church hall" in missing
    south = pot_of(rnd, "Southbank")
    too_dear = post_proposal(client, rnd, pot=str(south.id), cost="7000")
    assert "more than all the money in this pot (\u2068£6,000\u2069)" in too_dear.get_data(
        as_text=True
    )
    assert 'value="7000"' in too_dear.get_data(as_text=True)
    assert remedies_of(group) == []
    post_proposal(client, rnd, pot=str(south.id), action="send")
    [remedy] = remedies_of(group)
    assert remedy.pot_id == south.id
    moderator = make_user(Role.MODERATOR)
    staff = app.test_client()
    sign_in(staff, moderator)
    page = staff.get(f"/staff/moderate/remedies/{remedy.id}").get_data(as_text=True)
    assert "The money it asks from" in page and "Southbank" in page


def test_the_councils_json_and_the_count_command_go_pot_by_pot(app, client, runner):
    rnd = make_pot_round()
    _vote_the_example(rnd)
    change_phase(rnd, Phase.COUNTED)
    db.session.commit()
    said = runner.invoke(args=["count", rnd.slug]).output.splitlines()
    assert len(said) == 3 and all("Counted" in line for line in said)
    sign_in(client, make_user(Role.ORGANISER))
    data = client.get(f"/staff/council/rounds/{rnd.slug}/results.json").get_json()
    north = next(p for p in data["pots"] if p["name"] == "Northfield")
    assert (north["ballots"], north["population"], north["budget"]) == (3, 10000, 5000)
    assert north["outcome"]["spent"] == 3000


def test_a_code_without_an_area_votes_only_for_the_whole_place_or_is_told_it_cannot(app, client):
    rnd = make_pot_round()
    enter(client, rnd, _code(rnd, None))
    page = client.get(f"/rounds/{rnd.slug}/ballot").get_data(as_text=True)
    assert "The whole place — \u2068£10,000\u2069 to share" in page and "Your area" not in page
    areas_only = make_pot_round(pots={"Eastend": (1000, (500,)), "Westend": (1000, (700,))})
    other = app.test_client()
    enter(other, areas_only, _code(areas_only, None))
    refused = other.get(f"/rounds/{areas_only.slug}/ballot", follow_redirects=True)
    assert "This code cannot vote for any idea in this round." in refused.get_data(as_text=True)


def test_the_codes_command_asks_for_the_area_in_a_round_with_area_pots(app, runner):
    rnd = make_pot_round()
    refused = runner.invoke(args=["codes", rnd.slug, "-n", "2"])
    assert refused.exit_code != 0 and "need --area" in refused.output
    south = pot_of(rnd, "Southbank").area
    made = runner.invoke(args=["codes", rnd.slug, "-n", "2", "--area", south.slug])
    assert made.exit_code == 0 and len(made.output.split()) == 2
    stored = db.session.scalars(select(codes.VoterCode.area_id)).all()
    assert stored == [south.id, south.id]
