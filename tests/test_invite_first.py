"""Targeted invitations: the areas and languages that took part least last time come first,
and the organiser sees whether the gap is closing in the new round."""

import re
from datetime import timedelta

from coprod.council import stats
from coprod.extensions import db
from coprod.following import operations as following
from coprod.models import Area, Phase, Role
from coprod.operations import phase
from tests.factories import make_round
from tests.test_council import TODAY, cast, page, signed_in
from tests.test_ideas import RecordingSMTP


def _last_year() -> tuple[Area, Area, Area]:
    """A ward of two areas and last year's round: South Side and Urdu took part least."""
    ward = Area(
        slug="ward", name="Brookfield", population=10000,
        population_by_language={"en": 6000, "ur": 3000, "pl": 1000},
    )  # fmt: skip
    north = Area(slug="north", name="North End", population=5000)
    south = Area(slug="south", name="South Side", population=5000)
    db.session.add_all([ward, north, south])
    db.session.commit()
    north.parent_id = south.parent_id = ward.id
    last = make_round(Phase.COUNTED, area_id=ward.id, slug="last-year")
    cast(last, 40, lang="en", area=north)
    cast(last, 6, lang="ur", area=south, on=TODAY - timedelta(days=2))
    cast(last, 4, lang="pl", area=north)
    return ward, north, south


def test_the_lowest_turnout_comes_first_and_the_gap_is_shown_closing(app):
    ward, north, south = _last_year()
    now = make_round(Phase.VOTING, area_id=ward.id, slug="this-year")
    cast(now, 10, lang="en", area=north)
    cast(now, 8, lang="ur", area=south)
    cast(now, 2, lang="pl", area=north)

    client, _ = signed_in(app, Role.ORGANISER)
    html = page(client, "/staff/council/rounds/this-year/invite-first?before=last-year")
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    first = [r.split("</th>")[0] for r in rows]
    # South Side: 12% of ballots for 50% of people; Urdu: 12% for 30%; Polish: 8% for 10%.
    assert "South Side" in first[0] and "Urdu" in first[1]
    assert "Polish" in first[2] and "North End" in first[4]
    # Urdu speakers went from 12% to 40% of ballots (30% of people): the gap is closing.
    assert "12%" in rows[1] and "40%" in rows[1] and "Yes" in rows[1]
    assert "/staff/rounds/this-year?letters=ur#codes" in rows[1]
    letters = page(client, "/staff/rounds/this-year?letters=ur")
    assert re.search(
        r'<option[^>]*selected[^>]*value="ur"|<option[^>]*value="ur"[^>]*selected', letters
    )
    councillor, _ = signed_in(app, Role.COUNCILLOR)
    assert councillor.get("/staff/council/rounds/this-year/invite-first").status_code == 403


def test_a_group_with_no_known_population_comes_last():
    before = {"language": [stats.Share("xx", 1, 0.5), stats.Share("ur", 1, 0.1, 10, 0.3)]}
    gaps = stats.invite_first(before, {})
    assert [g.key for g in gaps] == ["ur", "xx"] and gaps[0].closing is None


def test_messages_inviting_people_to_vote_go_lowest_turnout_first(app, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    ward, north, south = _last_year()
    now = make_round(Phase.RATING, area_id=ward.id, slug="this-year")
    now.remedies[0].area_id, now.remedies[1].area_id = north.id, south.id
    db.session.commit()
    # Who follows what, in the order they came: the round, then an idea in each area.
    for kind, thing, who, lang in (
        ("round", now, "en-round", "en"),
        ("round", now, "pl-round", "pl"),
        ("round", now, "ur-round", "ur"),
        ("remedy", now.remedies[0], "en-north", "en"),
        ("remedy", now.remedies[1], "en-south", "en"),
    ):
        following.follow(kind, thing.id, "email", f"{who}@example.org", lang)
    db.session.commit()

    client, _ = signed_in(app, Role.ORGANISER)
    html = page(client, "/staff/council/rounds/this-year/invite-first?before=last-year")
    assert "When voting opens, the messages to people who follow this round" in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    urdu = next(r for r in rows if "Urdu" in r.split("</th>")[0])
    assert urdu.rstrip().endswith('<td class="num">1</td>\n  </tr>')

    phase.change_phase(now, Phase.VOTING)
    db.session.commit()
    told = [m["To"].split("@")[0] for m in RecordingSMTP.sent]
    # South Side (by the idea's area), then Urdu, then Polish; English speakers last.
    assert told == ["en-south", "ur-round", "pl-round", "en-round", "en-north"]
    assert "Jest teraz na karcie do głosowania" in RecordingSMTP.sent[2]["Subject"]
