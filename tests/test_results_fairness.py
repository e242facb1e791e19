"""Fairness figures on the results page and in the API, from the stored count."""

import pytest
from flask import json

from coprod.extensions import db
from coprod.models import Channel, Phase, Role
from coprod.operations import ballots, codes
from coprod.operations.counting import count_round
from coprod.operations.phase import change_phase
from tests.factories import make_round

SECRET = "test-secret"


def fair_round(**fields):
    """£100: A £60, B £50, C £30. 10 choose A online in English; 4 choose B and C, on
    paper in Polish; 11 choose C through a partner, in Urdu."""
    rnd = make_round(Phase.VOTING, budget=100, costs=(60, 50, 30), **fields)
    ids = [str(r.id) for r in rnd.remedies]
    plan = (
        [([0], Channel.ONLINE, "en")] * 10
        + [([1, 2], Channel.PAPER, "pl")] * 4
        + [([2], Channel.API, "ur")] * 11
    )
    for code, (picks, channel, lang) in zip(
        codes.make_codes(SECRET, rnd, len(plan)), plan, strict=True
    ):
        ballots.cast(SECRET, rnd, code, [ids[i] for i in picks], channel=channel, lang=lang)
        db.session.commit()
    change_phase(rnd, Phase.COUNTED)
    count_round(rnd)
    db.session.commit()
    return rnd, ids


def test_results_show_fairness_by_group_hiding_small_groups(client):
    rnd, ids = fair_round()
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    fair = page.split('id="fair"')[1].split("</section>")[0]
    assert "Was it fair?" in fair and "of voters got at least one idea they chose." in fair
    assert "Half of the voters got at least" in fair
    assert "How much of the money their chosen ideas cost each voter got" in fair
    assert "By the language of the ballot" in fair and "By how people voted" in fair
    assert "اردو" in fair  # Urdu, named in itself
    assert "Through a partner" in fair
    # Polish paper ballots: 4 voters, too few to show alone, or beside the rest (everyone
    # minus the rest would give them away): shown together with the English online ones.
    assert fair.count("Smaller groups together:") == 2
    assert "Smaller groups together: English, Polski" in fair
    assert "Extended Justified Representation" in fair
    # EJR holds (Equal Shares), so PJR does: one sentence says so
    assert "Together, too:" in fair and "Proportional Justified Representation" in fair
    assert "most votes first" in fair and "Why the two ways can differ" in fair
    arabic = client.get(f"/rounds/{rnd.slug}/results", headers={"Accept-Language": "ar"})
    assert "هل كان الأمر عادلًا؟" in arabic.get_data(as_text=True)  # "Was it fair?"


def test_api_gives_the_fairness_figures(client):
    rnd, ids = fair_round()
    data = json.loads(client.get(f"/api/v1/rounds/{rnd.slug}/results").data)
    fair = data["fairness"]
    assert set(fair) >= {"share_with_a_winner", "satisfaction", "ejr", "other_rule"}
    assert fair["voters"] == 25
    funded = set(data["selected"])
    assert 0 <= fair["share_with_a_winner"] <= 1
    assert sum(b["voters"] for b in fair["satisfaction"]["bands"]) == 25
    assert fair["ejr"]["satisfied"] in (True, False)
    assert fair["pjr"] == {"utility": "cost", "satisfied": True, "up_to_one": True}
    other = fair["other_rule"]
    assert other["rule"] == "greedy"
    assert set(other["only_ours"]) == funded - set(other["selected"])
    urdu, together = fair["by"]["language"]
    assert urdu["group"] == "ur" and urdu["voters"] == 11
    assert together["group"] is None and together["together"] == ["en", "pl"]
    assert together["voters"] == 14


def test_add1u_round_says_what_it_spent_from_the_money_left_and_what_was_left(client):
    # Equal Shares: C (11 + 4 voters, £30) and A (10, £60); £10 left. Add1u tries B (4
    # votes, £50): it does not fit.
    rnd, ids = fair_round(tally_rule="equalshares/add1u")
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    assert "\u2068£10\u2069 of the money was left over." in page
    assert "After Equal Shares, the money left went to the ideas with the most votes" in page
    assert "The \u2068£10\u2069 left at the end was not enough either." in page
    assert "Any money still left goes to the ideas with the most votes that still fit." in page


def test_greedy_round_says_how_many_more_votes_a_losing_idea_needed(client):
    rnd, ids = fair_round(tally_rule="greedy")
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    # C (15 votes) and A (10) are funded; B (4 votes, £50) needed 7 more to pass A.
    assert "With 7 more votes it would have got the money." in page
    assert "\u2068£10\u2069 of the money was left over." in page
    assert "Every idea people voted for that did not get money costs more" in page
    assert "With the Method of Equal Shares" in page


def test_the_remedy_page_and_the_groups_page_say_how_close_it_came(client):
    from tests.factories import make_user
    from tests.test_staff import sign_in

    rnd, ids = fair_round(tally_rule="greedy")
    b = next(r for r in rnd.remedies if str(r.id) == ids[1])
    page = client.get(f"/rounds/{rnd.slug}/remedies/{b.id}").get_data(as_text=True)
    assert "What happened in the count" in page and "Does not get the money." in page
    assert "With 7 more votes it would have got the money." in page
    member = make_user()
    member.group_id = b.group_id
    db.session.commit()
    sign_in(client, member)
    mine = client.get("/my-group").get_data(as_text=True)
    assert "With 7 more votes it would have got the money." in mine
    # Before the count, nothing is said.
    voting = make_round(Phase.VOTING)
    early = client.get(f"/rounds/{voting.slug}/remedies/{voting.remedies[0].id}")
    assert "What happened in the count" not in early.get_data(as_text=True)


def test_the_councils_export_has_the_fairness_figures(app):
    from tests.test_council import signed_in

    rnd, ids = fair_round()
    client, _ = signed_in(app, Role.COUNCILLOR)
    data = json.loads(client.get(f"/staff/council/rounds/{rnd.slug}/results.json").data)
    fair = data["outcome"]["fairness"]
    assert fair["voters"] == 25 and set(fair) >= {"share_with_a_winner", "ejr", "other_rule"}


def test_each_pot_has_its_own_figures_with_areas_named(client):
    from tests.factories import make_pot_round
    from tests.test_pots import _code, _remedies

    rnd = make_pot_round()
    w1, _ = _remedies(rnd, None)
    n1, _ = _remedies(rnd, "Northfield")
    s1, _ = _remedies(rnd, "Southbank")
    for area, chosen in [("Northfield", n1)] * 10 + [("Southbank", s1)] * 10:
        ballots.cast(SECRET, rnd, _code(rnd, area), [str(chosen.id), str(w1.id)])
    db.session.commit()
    change_phase(rnd, Phase.COUNTED)
    from coprod.operations.counting import count_pots

    count_pots(rnd)
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    assert page.count("Was it fair?") == 3  # one for each pot
    # the whole place's pot has voters from both areas; each area's pot, from one only
    [whole] = [part for part in page.split("Was it fair?") if "By area" in part]
    assert "Northfield" in whole.split("</table>")[1] and "Southbank" in whole.split("</table>")[1]
    data = json.loads(client.get(f"/api/v1/rounds/{rnd.slug}/results").data)
    assert all(p["fairness"]["voters"] in (10, 20) for p in data["pots"])


def test_an_imported_ordinal_election_speaks_of_points_not_votes(app, runner):
    from sqlalchemy import select

    from coprod.models import Round
    from tests.tally.conftest import pabulib_dir

    source = pabulib_dir() / "Poland_Krakow_2018_Wzgorza_Krzeslawickie.pb"
    if not source.is_file():
        pytest.skip(f"{source} is missing")
    assert runner.invoke(args=["import-pb", str(source), "--slug", "krakow"]).exit_code == 0
    assert runner.invoke(args=["count", "krakow"]).exit_code == 0
    rnd = db.session.scalar(select(Round).where(Round.slug == "krakow"))
    page = app.test_client().get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    # Idea 8 had more voters than three funded ideas, but fewer Borda points.
    assert "more votes than the ideas after it" not in page
    assert "more points than the ideas after it" in page and "most points first" in page
    assert "With 8 more points it would have got the money." in page
