"""An organiser sets a round up in the browser: question pages, check your answers, one
operation; changes until voting opens, copies, and deletes drafts."""

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import (
    Area,
    AuditEvent,
    BallotType,
    Content,
    Eligibility,
    Phase,
    Pot,
    Remedy,
    RemedyStatus,
    Role,
    Round,
    Workshop,
)
from coprod.operations import setup, workshops
from coprod.operations.content import new_content
from coprod.operations.phase import change_phase
from coprod.operations.rounds import RulesFrozen
from tests.conftest import CSRF
from tests.factories import make_round, make_user

PASSWORD = "correct horse battery"
NEW = "/staff/rounds/new"

AREAS = {
    "rows": "2",
    "area-1-name": "North Ward",
    "area-1-budget": "30,000",
    "area-1-population": "12000",
    "area-1-lang-en": "8000",
    "area-1-lang-ur": "2500",
    "area-1-lang-bn": "900",
    "area-2-name": "South Ward",
    "area-2-budget": "20000",
    "area-2-population": "9000",
    "area-2-lang-ur": "4100",
    "whole_place": "y",
    "whole_place_budget": "50000",
}
DATES = {
    "proposing_opens": "2027-01-10",
    "rating_opens": "2027-02-01",
    "voting_opens": "2027-03-01",
    "voting_closes": "2027-03-21",
    "responses_due": "2027-05-01",
}
ANSWERS = {
    "name": {"title": "Brookfield 2027", "summary": "Money for the parks.\nEveryone may help."},
    "languages": {"languages": ["ur", "bn"]},
    "areas": AREAS,
    "money": {"currency": "GBP", "min_spend_percent": "50"},
    "ballot": {"ballot_type": "approval", "max_choices": "5"},
    "rule": {"tally_rule": "equalshares/add1"},
    "who": {"eligibility": "open_rating", "paper": "twice"},
    "dates": DATES,
}


def organiser_client(app, role=Role.ORGANISER):
    user = make_user(role, name="Ann Jones")
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client


def token_of(client, url):
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return CSRF.search(page).group(1)


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": token_of(client, url)})


def walk(client, answers=ANSWERS, start=f"{NEW}?start=1"):
    """Answer every question, each screen leading to the next, ending on the check page."""
    response = client.get(start)
    for step, data in answers.items():
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
        assert response.headers["Location"].endswith(f"/{step}"), response.headers["Location"]
        response = post(client, response.headers["Location"], data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith("/check")
    return response.headers["Location"]


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_whole_wizard_makes_a_draft_round_with_areas_pots_and_languages(app):
    client = organiser_client(app)
    home = text(client.get("/staff/"))
    assert "Start a new round" in home
    check = walk(client)
    page = text(client.get(check))
    for shown in (
        "Brookfield 2027",
        "Money for the parks.",
        "اردو",
        "বাংলা",
        "North Ward: \u2068£30,000\u2069",
        "12,000 people live there",
        "South Ward: \u2068£20,000\u2069",
        "The whole place: \u2068£50,000\u2069",
        "£100,000",
        "50 %",
        "up to 5 ideas",
        "Equal Shares",
        "Anyone may rate",
        "typed in by two people",
        "21 March 2027",
    ):
        assert shown in page, shown
    response = post(client, check, {})
    rnd = db.session.scalar(select(Round))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/rounds/{rnd.slug}")
    assert rnd.slug == "brookfield-2027" and rnd.phase == Phase.DRAFT
    assert str(rnd.t("title", "en")) == "Brookfield 2027"
    assert str(rnd.t("summary", "en")) == "Money for the parks.\nEveryone may help."
    assert rnd.content.original_lang == "en"
    assert rnd.languages == ["en", "bn", "ur"] or rnd.languages == ["en", "ur", "bn"]
    assert rnd.languages[0] == "en" and set(rnd.languages) == {"en", "ur", "bn"}
    assert rnd.budget == 100_000 and rnd.currency == "GBP" and rnd.min_spend_percent == 50
    assert rnd.ballot_type == BallotType.APPROVAL and rnd.max_choices == 5
    assert rnd.tally_rule == "equalshares/add1"
    assert rnd.eligibility == Eligibility.OPEN_RATING and rnd.paper_double_entry is True
    assert (rnd.proposing_opens, rnd.voting_closes) == (date(2027, 1, 10), date(2027, 3, 21))
    assert rnd.responses_due == date(2027, 5, 1)
    pots = {(p.area.name if p.area else None): p.budget for p in rnd.pots}
    assert pots == {"North Ward": 30_000, "South Ward": 20_000, None: 50_000}
    north = db.session.scalar(select(Area).where(Area.name == "North Ward"))
    assert north.population == 12000
    assert north.population_by_language == {"en": 8000, "ur": 2500, "bn": 900}
    made = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_made"))
    assert made.round_id == rnd.id
    # The answers are gone from the session: the next round starts afresh.
    assert client.get(NEW).headers["Location"].endswith("/name")
    audit = text(client.get("/staff/audit?kind=setup"))
    assert "Organiser Ann Jones made the round Brookfield 2027" in audit
    # The public page says which languages the round is in; letters only in those.
    change_phase(rnd, Phase.RATING)
    db.session.commit()
    public = text(client.get(f"/rounds/{rnd.slug}"))
    assert "This round is in" in public and "اردو" in public
    admin = text(client.get(f"/staff/rounds/{rnd.slug}"))
    letters = re.search(r'<select[^>]*name="lang".*?</select>', admin, re.S).group(0)
    assert re.findall(r'value="([^"]+)"', letters) == rnd.languages


def test_areas_are_shared_and_one_round_without_areas_is_one_pot(app):
    db.session.add(Area(name="North Ward", slug="north-ward", population=1))
    db.session.commit()
    client = organiser_client(app)
    walk(client)
    post(client, f"{NEW}/check", {})
    assert db.session.scalar(select(func.count(Area.id))) == 2  # North reused, South added
    answers = {**ANSWERS, "areas": {"rows": "1"}, "money": {"currency": "EUR", "budget": "9000"}}
    answers["name"] = {"title": "Brookfield 2027", "summary": "Again."}
    check = walk(client, answers)
    page = text(client.get(check))
    assert "No areas: one pot of money for everyone" in page
    post(client, check, {})
    second = db.session.scalar(select(Round).order_by(Round.id.desc()))
    assert second.slug == "brookfield-2027-2"  # the name is taken: the slug is made unique
    assert second.pots == [] and second.budget == 9000 and second.currency == "EUR"


CHOSEN = {"currency", "ballot_type", "tally_rule", "eligibility", "paper", "languages"}
BAD = [
    ("name", {"title": "", "summary": "Intro"}, "Give the round a name."),
    ("name", {"title": "   ", "summary": "Intro"}, "Give the round a name."),
    ("name", {"title": "x" * 201, "summary": "Intro"}, "Keep the name under 200 letters."),
    ("languages", {"languages": ["xx"]}, "Choose only languages from the list."),
    ("areas", {"rows": "1", "area-1-name": "North", "area-1-budget": "-5"}, "0 or more"),
    ("areas", {"rows": "1", "area-1-name": "North", "area-1-budget": "lots"}, "whole number"),
    ("areas", {"rows": "1", "area-1-name": "North", "area-1-budget": "9" * 40}, "whole number"),
    ("areas", {"rows": "1", "area-1-name": "North", "area-1-budget": "9" * 12}, "too big"),
    ("areas", {"rows": "1", "area-1-budget": "100"}, "Give the area a name."),
    (
        "areas",
        {"rows": "2", "area-1-name": "A", "area-1-budget": "1", "area-2-name": "a"},
        "Two areas have this name",
    ),
    ("areas", {"rows": "1", "whole_place": "y", "whole_place_budget": "10"}, "Add an area"),
    ("money", {"currency": "GBP", "budget": "-1", "min_spend_percent": "0"}, "0 or more"),
    ("money", {"currency": "GBP", "budget": "ten", "min_spend_percent": "0"}, "whole number"),
    ("money", {"currency": "GBP", "budget": "10", "min_spend_percent": "101"}, "too big"),
    ("money", {"currency": "XXX", "budget": "10", "min_spend_percent": "0"}, "currency"),
    ("ballot", {"ballot_type": "approval", "max_choices": ""}, "1 or more"),
    ("ballot", {"ballot_type": "ranked", "max_choices": ""}, "Choose how people vote."),
    ("rule", {"tally_rule": "greedy-threshold"}, "Choose how the votes are counted."),
    ("who", {"eligibility": "anyone", "paper": "once"}, "Choose who may take part."),
    ({"dates"}, {**DATES, "voting_closes": "2027-03-01"}, "must come after"),
    ({"dates"}, {**DATES, "rating_opens": "2026-01-01"}, "must come after"),
    ({"dates"}, {**DATES, "voting_opens": "31/02/2027"}, "Give a real date"),
    ({"dates"}, {**DATES, "responses_due": "99999-01-01"}, "Give a real date"),
    ({"dates"}, {**DATES, "responses_due": ""}, "Give a date."),
]


@pytest.mark.parametrize("step,data,message", BAD)
def test_bad_input_on_each_screen_is_refused_clearly_and_keeps_the_rest(app, step, data, message):
    step = next(iter(step)) if isinstance(step, set) else step
    client = organiser_client(app)
    client.get(f"{NEW}?start=1")
    hostile = '<script>alert("x")</script>'
    # Earlier screens answered (no areas: the money screen then asks for the money).
    earlier_answers = {**ANSWERS, "areas": {"rows": "1"}}
    earlier_answers["money"] = {**ANSWERS["money"], "budget": "10000"}
    for earlier in list(ANSWERS)[: list(ANSWERS).index(step)]:
        assert post(client, f"{NEW}/{earlier}", earlier_answers[earlier]).status_code == 302
    typed = {**data, "summary": hostile} if step == "name" else data
    response = post(client, f"{NEW}/{step}", typed)
    page = text(response)
    assert response.status_code == 200, page[:2000]
    assert "<title>Error:" in page and "There is a problem" in page
    assert message in page, page[:4000]
    if step == "name":
        assert "<script>alert" not in response.get_data(as_text=True)
        assert hostile in page  # kept, escaped
    for name, value in typed.items():  # what was typed is still in its box
        shown = isinstance(value, str) and value.strip() and len(value) < 100 and value != "y"
        if name not in CHOSEN and shown:
            assert f'value="{value}"' in page or f"{value}</textarea>" in page, value
    assert db.session.scalar(select(func.count(Round.id))) == 0


def test_check_your_answers_change_link_goes_back_and_returns(app):
    client = organiser_client(app)
    check = walk(client)
    page = client.get(check).get_data(as_text=True)
    links = re.findall(r'href="([^"]+)">Change<span class="visually-hidden"> ([^<]+)<', page)
    steps = {unescape(href).split("?")[0].rsplit("/", 1)[1] for href, _what in links}
    assert steps == set(ANSWERS)
    name_link = unescape(next(href for href, what in links if what == "The round's name"))
    form = text(client.get(name_link))
    assert 'value="Brookfield 2027"' in form  # prefilled
    response = post(client, name_link, {"title": "Brookfield Parks 2027", "summary": "New."})
    assert response.headers["Location"].endswith("/check")
    assert "Brookfield Parks 2027" in text(client.get(check))


def test_adding_and_taking_out_areas_without_javascript(app):
    client = organiser_client(app)
    client.get(f"{NEW}?start=1")
    for earlier in ("name", "languages"):
        post(client, f"{NEW}/{earlier}", ANSWERS[earlier])
    typed = {"rows": "1", "area-1-name": "East", "area-1-budget": "10", "add": "1"}
    page = text(post(client, f"{NEW}/areas", typed))
    assert 'value="East"' in page and 'id="area-2-name"' in page and "Error:" not in page
    typed = {
        **typed,
        "rows": "2",
        "area-2-name": "West",
        "area-2-budget": "5",
        "area-1-remove": "y",
    }
    del typed["add"]
    response = post(client, f"{NEW}/areas", typed)
    assert response.status_code == 302
    page = text(client.get(f"{NEW}/areas"))
    assert 'value="West"' in page and 'value="East"' not in page


def draft_with_area(client):
    walk(client)
    post(client, f"{NEW}/check", {})
    return db.session.scalar(select(Round))


def test_a_draft_is_changed_on_the_same_screens_until_voting_opens(app):
    client = organiser_client(app)
    rnd = draft_with_area(client)
    admin = text(client.get(f"/staff/rounds/{rnd.slug}"))
    assert "Change the name, areas, money, rules, languages or dates" in admin
    check = client.get(f"/staff/rounds/{rnd.slug}/setup").headers["Location"]
    assert check.endswith(f"/staff/rounds/{rnd.slug}/setup/check")
    assert "North Ward: \u2068£30,000\u2069" in text(client.get(check))
    form = text(client.get(f"/staff/rounds/{rnd.slug}/setup/money"))
    assert 'value="50"' in form  # prefilled
    areas = {**AREAS, "area-1-budget": "35000", "rows": "2"}
    response = post(client, f"/staff/rounds/{rnd.slug}/setup/areas", areas)
    assert response.headers["Location"].endswith("/setup/check")
    post(client, f"/staff/rounds/{rnd.slug}/setup/rule", {"tally_rule": "greedy"})
    response = post(client, check, {})
    assert response.headers["Location"].endswith(f"/staff/rounds/{rnd.slug}")
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.budget == 105_000 and rnd.tally_rule == "greedy"
    assert {p.budget for p in rnd.pots} == {35_000, 20_000, 50_000}
    changed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_changed"))
    assert set(changed.detail["changed"]) == {"areas", "money", "rule"}
    audit = text(client.get("/staff/audit"))
    assert "changed Brookfield 2027 (areas and pots, money, how votes are counted)" in audit
    # Taking out an area that already has an idea is refused, and nothing changes.
    south = next(p for p in rnd.pots if p.area and p.area.name == "South Ward")
    db.session.add(
        Remedy(
            round=rnd,
            pot=south,
            status=RemedyStatus.DRAFT,
            cost=10,
            content=new_content("en", {"title": "Idea"}),
        )
    )
    db.session.commit()
    one_area = {k: v for k, v in AREAS.items() if not k.startswith("area-2")} | {"rows": "1"}
    post(client, f"/staff/rounds/{rnd.slug}/setup/areas", one_area)
    page = text(post(client, check, {}))
    assert "Ideas have already been sent for the area “South Ward”" in page
    db.session.expire_all()
    assert len(db.session.get(Round, rnd.id).pots) == 3


def test_changes_are_refused_once_voting_has_opened(app):
    client = organiser_client(app)
    rnd = make_round(Phase.RATING)
    check = client.get(f"/staff/rounds/{rnd.slug}/setup").headers["Location"]
    assert check.endswith("/setup/check")
    token = token_of(client, check)
    change_phase(rnd, Phase.VOTING)  # voting opens while the organiser is on the page
    db.session.commit()
    response = client.post(check, data={"csrf_token": token}, follow_redirects=True)
    page = text(response)
    assert "Voting has opened, so the money, the pots, the ballot and the rules are fixed" in page
    # The operation itself refuses, and logs the refusal, whoever calls it.
    plan = setup.answers_of(rnd, "en")
    plan.budget = 1
    with pytest.raises(RulesFrozen):
        setup.change_round(rnd, plan, lang="en", actor=None)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).budget == 10000
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rules_change_refused"))
    for url in ("/setup", "/setup/money", "/setup/check"):
        response = client.get(f"/staff/rounds/{rnd.slug}{url}")
        assert response.status_code == 302 and response.headers["Location"].endswith(rnd.slug)
    assert "fixed and cannot change" in text(client.get(f"/staff/rounds/{rnd.slug}"))


def test_a_copy_keeps_areas_pots_languages_and_rules_with_a_new_name_and_dates(app):
    client = organiser_client(app)
    source = draft_with_area(client)
    change_phase(source, Phase.CLOSED)
    db.session.commit()
    assert "Copy" in text(client.get("/staff/"))
    response = client.get(f"/staff/rounds/{source.slug}/copy")
    assert response.headers["Location"].endswith(f"{NEW}/name")
    page = text(client.get(response.headers["Location"]))
    assert "Give it a new name and new dates" in page
    response = post(client, f"{NEW}/name", {"title": "Brookfield 2028", "summary": "Again."})
    assert response.headers["Location"].endswith(f"{NEW}/dates")
    later = {k: v.replace("2027", "2028") for k, v in DATES.items()}
    response = post(client, f"{NEW}/dates", later)
    assert response.headers["Location"].endswith(f"{NEW}/check")
    page = text(client.get(f"{NEW}/check"))
    assert "North Ward: \u2068£30,000\u2069" in page and "Brookfield 2028" in page
    post(client, f"{NEW}/check", {})
    copy = db.session.scalar(select(Round).where(Round.slug == "brookfield-2028"))
    assert copy.phase == Phase.DRAFT and copy.voting_opens == date(2028, 3, 1)
    for same in ("budget", "ballot_type", "max_choices", "tally_rule", "languages"):
        assert getattr(copy, same) == getattr(source, same), same
    assert {(p.area_id, p.budget) for p in copy.pots} == {
        (p.area_id, p.budget) for p in source.pots
    }
    assert db.session.scalar(select(func.count(Area.id))) == 2
    assert "as a copy of Brookfield 2027" in text(client.get("/staff/audit"))


def test_only_a_draft_can_be_deleted_after_a_confirmation(app):
    client = organiser_client(app)
    rnd = draft_with_area(client)
    db.session.add(Remedy(round=rnd, cost=1, content=new_content("en", {"title": "Draft idea"})))
    evening = workshops.start("Evening", rnd, 2, None, date.today())  # it stays, roundless
    db.session.commit()
    page = text(client.get(f"/staff/rounds/{rnd.slug}/delete"))
    assert "Are you sure" in page and "This cannot be undone" in page
    response = post(client, f"/staff/rounds/{rnd.slug}/delete", {})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Round.id))) == 0
    assert db.session.scalar(select(func.count(Pot.id))) == 0
    assert db.session.scalar(select(func.count(Remedy.id))) == 0
    assert db.session.scalar(select(func.count(Content.id))) == 0
    assert db.session.scalar(select(func.count(Area.id))) == 2  # areas are shared: they stay
    assert db.session.get(Workshop, evening.id).round_id is None
    assert "deleted the draft round Brookfield 2027" in text(client.get("/staff/audit"))
    started = make_round(Phase.PROPOSING)
    page = text(client.get(f"/staff/rounds/{started.slug}/delete"))
    assert "This round cannot be deleted" in page and "Are you sure" not in page
    response = client.post(
        f"/staff/rounds/{started.slug}/delete",
        data={"csrf_token": token_of(client, f"/staff/rounds/{started.slug}/delete")},
    )
    assert response.status_code == 200 and "cannot be deleted" in text(response)
    assert db.session.get(Round, started.id) is not None


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.COUNCILLOR, Role.MEMBER])
def test_only_organisers_reach_the_set_up_pages(app, role):
    rnd = make_round(Phase.DRAFT, slug="draft-x")
    client = organiser_client(app, role)
    for url in (
        NEW,
        f"{NEW}/name",
        f"{NEW}/check",
        "/staff/rounds/draft-x/copy",
        "/staff/rounds/draft-x/setup",
        "/staff/rounds/draft-x/setup/areas",
        "/staff/rounds/draft-x/delete",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/staff/rounds/draft-x/delete", data={}).status_code in (400, 403)
    assert db.session.get(Round, rnd.id) is not None


def test_every_set_up_form_needs_its_csrf_token(app):
    client = organiser_client(app)
    rnd = make_round(Phase.DRAFT, slug="draft-x")
    for step in ANSWERS:
        assert client.post(f"{NEW}/{step}", data=ANSWERS[step]).status_code == 400, step
    walk(client)
    assert client.post(f"{NEW}/check", data={}).status_code == 400
    assert client.post("/staff/rounds/draft-x/delete", data={}).status_code == 400
    assert db.session.get(Round, rnd.id) is not None
    assert db.session.scalar(select(func.count(Round.id))) == 1


def test_a_round_made_before_pots_keeps_its_area_and_every_language_when_saved(app):
    client = organiser_client(app)
    ward = Area(name="Brookfield Ward", slug="brookfield")
    rnd = make_round(Phase.PROPOSING, area=ward)
    check = client.get(f"/staff/rounds/{rnd.slug}/setup").headers["Location"]
    page = text(client.get(check))
    assert "No areas: one pot of money for everyone" in page and "اردو" in page
    assert post(client, check, {}).status_code == 302
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.area.name == "Brookfield Ward" and rnd.pots == []
    assert rnd.languages[0] == "en" and {"ur", "ar", "pl"} <= set(rnd.languages)


def test_a_new_round_counts_with_add1u_unless_the_organiser_changes_it(app):
    client = organiser_client(app)
    client.get(f"{NEW}?start=1")
    for earlier in list(ANSWERS)[: list(ANSWERS).index("rule")]:
        assert post(client, f"{NEW}/{earlier}", ANSWERS[earlier]).status_code == 302
    page = client.get(f"{NEW}/rule").get_data(as_text=True)
    checked = re.search(r"<input[^>]*\bchecked\b[^>]*>", page)
    assert checked and 'value="equalshares/add1u"' in checked.group(0), page[:3000]
    assert "Equal Shares, then most votes for any money left (the usual choice)" in page
