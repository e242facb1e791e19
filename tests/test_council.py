"""The council's side as people use it: the dashboard, the top five, answers, the public page."""

import csv
import io
import json
import re
import secrets
from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from coprod.council import routes as council_routes
from coprod.extensions import db
from coprod.models import (
    Area,
    AuditEvent,
    Ballot,
    Barrier,
    Channel,
    Contact,
    Count,
    Decision,
    Phase,
    Rating,
    Response,
    ResponseUpdate,
    Role,
    VoterCode,
)
from coprod.operations import responses
from coprod.operations.content import new_content
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in, staff_routes

TODAY = date.today()
_raters = count(1)


# --- Factories for this file --------------------------------------------------------------


def rate(rnd, item, scores, *, indicative=False):
    """Ratings for one barrier or remedy, one rater each, as `save_ratings` stores them."""
    kind = "barrier_id" if isinstance(item, Barrier) else "remedy_id"
    for score in scores:
        db.session.add(
            Rating(
                round_id=rnd.id,
                rater=f"rater-{next(_raters)}",
                score=score,
                indicative=indicative,
                rated_on=TODAY,
                **{kind: item.id},
            )
        )
    db.session.commit()


def cast(rnd, n, *, lang="en", area=None, channel=Channel.ONLINE, on=TODAY):
    """`n` anonymous ballots, as the casting operation leaves them."""
    for _ in range(n):
        db.session.add(
            Ballot(
                round_id=rnd.id,
                receipt_hash=secrets.token_hex(32),
                cast_on=on,
                channel=channel,
                lang=lang,
                area_id=area.id if area else None,
            )
        )
    db.session.commit()


def counted(rnd, *remedies):
    """A stored count that funded `remedies`, in that order."""
    db.session.add(
        Count(
            round_id=rnd.id,
            rule="greedy",
            utility="cost",
            inputs_sha256="0" * 64,
            ballots=0,
            spent=sum(r.cost for r in remedies),
            selected=[str(r.id) for r in remedies],
            explanations={},
        )
    )
    db.session.commit()


def add_barrier(rnd, title):
    barrier = Barrier(key=f"b-{secrets.token_hex(4)}", content=new_content("en", {"title": title}))
    rnd.barriers.append(barrier)
    db.session.commit()
    return barrier


def titled(rnd, *names):
    """Give the round's remedies readable titles, in order."""
    for remedy, name in zip(rnd.remedies, names, strict=True):
        remedy.content.set("title", "en", name, reviewed=True)
    db.session.commit()
    return rnd.remedies


def sent_round(decision_maker, *, answered=3, overdue=True):
    """A round whose top five went to `decision_maker`; the first `answered` are answered."""
    rnd = make_round(Phase.RESPONDING, costs=(1000, 2000, 3000, 4000, 5000))
    titled(rnd, "Translate the newsletter", "Interpreters", "Free rooms", "Noticeboard", "Map")
    organiser = make_user(Role.ORGANISER)
    items = [("remedy", r.id) for r in rnd.remedies]
    sent = responses.send_top5(
        rnd, items, decision_maker, TODAY + timedelta(days=30), actor=organiser
    )
    db.session.commit()
    for r in sent[:answered]:
        responses.record_decision(
            r,
            Decision.YES,
            f"We agree with priority {r.rank}.",
            "Start in May.",
            TODAY - timedelta(days=1),
            lang="en",
            actor=decision_maker,
        )
        db.session.commit()
    if overdue:
        for r in sent:
            r.due_on = TODAY - timedelta(days=5)
        db.session.commit()
    return rnd, sent


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def signed_in(app, role):
    user = make_user(role)
    client = app.test_client()
    sign_in(client, user)
    return client, user


# --- The dashboard ------------------------------------------------------------------------


def test_dashboard_shows_each_mean_with_its_likely_range_and_spread(app):
    rnd = make_round(Phase.COUNTED)
    barrier = rnd.barriers[0]
    rate(rnd, barrier, [2, 3, 3, 4, 4, 4, 5, 5, 5])
    rate(rnd, rnd.remedies[0], [1, 2])
    rate(rnd, rnd.remedies[1], [5, 5, 5, 5], indicative=True)
    client, _ = signed_in(app, Role.COUNCILLOR)
    html = page(client, f"/staff/council/rounds/{rnd.slug}")
    assert "3.9" in html and "3.1 to 4.7" in html  # the barrier: mean and 95% interval
    code_tables = html.split("Ratings from anyone")[0]
    assert "1.5" in code_tables and "1.0 to 5.0" in code_tables  # two answers: a wide range
    assert "no answers" in code_tables  # the third idea was not rated
    # The spread is drawn and also given in words for screen readers.
    assert 'role="img"' in html and "Not at all: 0, A little: 1, Quite a lot: 2" in html
    # No-code ratings have their own labelled table and never join the code tables.
    code_part, open_part = html.split("Ratings from anyone, without a voter code")
    assert "Problems, with a voter code" in code_part
    assert "Ideas, without a code" in open_part and "5.0" in open_part
    assert "The votes have not been counted yet" in html
    assert "95% sure" in html


def test_dashboard_gives_the_budget_outcome_from_the_stored_count(app):
    rnd = make_round(Phase.COUNTED, costs=(4000, 3000, 5000))
    first, second, third = titled(rnd, "Suppers", "Connectors", "Map")
    counted(rnd, third, first)
    client, _ = signed_in(app, Role.COMMISSIONER)
    html = page(client, f"/staff/council/rounds/{rnd.slug}")
    money = html.split('id="money"')[1].split("</section>")[0]
    assert "\u2068£9,000\u2069 of \u2068£10,000\u2069" in money
    assert money.index("Map") < money.index("Suppers") and "Connectors" not in money


def test_dashboard_names_the_groups_who_are_missing_in_plain_words(app):
    ward = Area(
        slug="ward",
        name="Brookfield",
        population=10000,
        population_by_language={"en": 6000, "ur": 3000, "pl": 1000},
    )
    north = Area(slug="north", name="North End", population=5000)
    south = Area(slug="south", name="South Side", population=5000)
    db.session.add_all([ward, north, south])
    db.session.commit()
    north.parent_id = south.parent_id = ward.id
    rnd = make_round(Phase.COUNTED, area_id=ward.id)
    cast(rnd, 40, lang="en", area=north)
    db.session.commit()
    cast(rnd, 6, lang="ur", area=south, channel=Channel.PAPER, on=TODAY - timedelta(days=2))
    db.session.commit()
    cast(rnd, 4, lang="pl", area=north)
    db.session.commit()
    client, _ = signed_in(app, Role.ORGANISER)
    html = page(client, f"/staff/council/rounds/{rnd.slug}")
    missing = html.split('id="missing"')[1].split("</div>")[0]
    # Urdu: 12% of ballots against 30% of people; South Side: 12% against 50%.
    assert "Fewer people who speak Urdu took part" in missing
    assert "12% of ballots, but 30% of the people" in missing
    assert "Fewer people from South Side took part" in missing
    assert "Polish" not in missing and "North End" not in missing  # 8% vs 10%: not below half
    assert "50 ballots were cast." in html
    assert "On paper" in html and "Ballots cast each day" in html
    assert html.count("<table") >= 5  # every chart has its table


def test_themes_show_a_barrier_across_rounds_with_each_rounds_mean(app):
    first = make_round(Phase.CLOSED, title="Round one")
    second = make_round(Phase.COUNTED, title="Round two")
    shared = first.barriers[0]
    second.barriers.append(shared)
    db.session.commit()
    rate(first, shared, [2, 2])
    rate(second, shared, [4, 5])
    client, _ = signed_in(app, Role.COUNCILLOR)
    themes = page(client, f"/staff/council/rounds/{second.slug}").split('id="themes"')[1]
    assert "Round one" in themes and "2.0" in themes and "4.5" in themes


# --- The top five -------------------------------------------------------------------------


def test_organiser_sends_the_top_five_once_in_the_right_order(app):
    rnd = make_round(Phase.RESPONDING, costs=(1000, 2000, 3000, 4000, 5000))
    a, b, c, d, e = rnd.remedies
    worry = add_barrier(rnd, "Nobody listens")
    counted(rnd, c, a)  # funded: c first, then a
    rate(rnd, d, [2, 2, 3])
    rate(rnd, worry, [5, 4, 5])
    rate(rnd, e, [4, 4, 4])
    rate(rnd, b, [1])
    commissioner = make_user(Role.COMMISSIONER, name="Sam Okafor")
    client, organiser = signed_in(app, Role.ORGANISER)
    url = f"/staff/council/rounds/{rnd.slug}/top-5"
    preview = page(client, url)
    assert "Sam Okafor" in preview and "Send the top five" in preview
    due = (TODAY + timedelta(days=28)).isoformat()
    form = {
        "decision_maker": str(commissioner.id),
        "due_on": due,
        "csrf_token": csrf_token(client, url),
    }
    done = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "5 priorities are sent to Sam Okafor" in done
    sent = db.session.scalars(select(Response).order_by(Response.rank)).all()
    assert [(r.remedy_id or r.barrier_id) for r in sent] == [c.id, a.id, worry.id, e.id, d.id]
    assert sent[2].barrier_id == worry.id and sent[2].remedy_id is None
    assert {r.decision_maker_id for r in sent} == {commissioner.id}
    assert {r.due_on.isoformat() for r in sent} == {due}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "top5_sent"))
    assert event.actor_id == organiser.id and event.detail["decision_maker"] == commissioner.id

    again = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "cannot be sent twice" in again
    assert db.session.scalar(select(func.count(Response.id))) == 5
    with pytest.raises(responses.Refused) as refused:
        responses.send_top5(
            rnd, [("remedy", b.id)], commissioner, TODAY + timedelta(1), actor=organiser
        )
    assert refused.value.code == "already_sent"


def test_the_top_five_go_only_to_a_councillor_or_commissioner_with_a_future_date(app):
    rnd = make_round(Phase.RESPONDING)
    organiser = make_user(Role.ORGANISER)
    moderator = make_user(Role.MODERATOR)
    councillor = make_user(Role.COUNCILLOR)
    items = [("remedy", r.id) for r in rnd.remedies]
    for person, due, code in [
        (moderator, TODAY + timedelta(9), "not_a_decision_maker"),
        (councillor, TODAY, "due_not_in_future"),
    ]:
        with pytest.raises(responses.Refused) as refused:
            responses.send_top5(rnd, items, person, due, actor=organiser)
        assert refused.value.code == code
    voting = make_round(Phase.VOTING)
    with pytest.raises(responses.Refused) as refused:
        responses.send_top5(voting, items, councillor, TODAY + timedelta(9), actor=organiser)
    assert refused.value.code == "not_counted"
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_a_commissioner_reads_the_report_but_a_councillor_sends_it(app):
    rnd = make_round(Phase.RESPONDING)
    councillor, _ = signed_in(app, Role.COUNCILLOR)
    assert "<select" in page(councillor, f"/staff/council/rounds/{rnd.slug}/top-5")
    client, _ = signed_in(app, Role.COMMISSIONER)
    html = page(client, f"/staff/council/rounds/{rnd.slug}/top-5")
    assert "A councillor or an organiser sends the top five" in html and "<select" not in html
    token = csrf_token(client, "/sign-in")
    refused = client.post(f"/staff/council/rounds/{rnd.slug}/top-5", data={"csrf_token": token})
    assert refused.status_code == 403


def test_the_printed_report_lists_each_priority_and_its_answer(app):
    commissioner = make_user(Role.COMMISSIONER, name="Sam Okafor")
    rnd, sent = sent_round(commissioner, answered=1)
    client, _ = signed_in(app, Role.COUNCILLOR)
    html = page(client, f"/staff/council/rounds/{rnd.slug}/top-5")
    assert "Sent to <bdi>Sam Okafor</bdi> (Commissioner)" in html  # a typed name is isolated
    assert html.count('<li class="answer') == 5 and "We agree with priority 1." in html
    assert html.count('class="badge overdue"') == 4
    assert 'class="crumbs no-print"' in html  # the print stylesheet leaves these off
    css = app.test_client().get("/static/coprod.css").get_data(as_text=True)
    assert "/* council" in css and ".no-print" in css.split("/* council")[1]


# --- Answers ------------------------------------------------------------------------------


def test_only_the_named_decision_maker_or_an_organiser_may_answer(app):
    named = make_user(Role.COMMISSIONER)
    rnd, sent = sent_round(named, answered=0, overdue=False)
    url = f"/staff/council/answers/{sent[0].id}"
    for role in (Role.COMMISSIONER, Role.COUNCILLOR):
        other, _ = signed_in(app, role)
        assert other.get(url).status_code == 403
        token = csrf_token(other, "/sign-in")
        attempt = {"decision": "no", "reason": "Not mine", "csrf_token": token}
        assert other.post(url, data=attempt).status_code == 403
        assert other.post(url + "/updates", data=attempt).status_code == 403
    moderator, _ = signed_in(app, Role.MODERATOR)
    assert moderator.get(url).status_code == 403
    db.session.expire_all()
    assert sent[0].decision is None

    client = app.test_client()
    sign_in(client, named)
    form = {
        "decision": "partly",
        "reason": "We can pay for two languages now.",
        "next_step": "Urdu and Bengali first.",
        "decided_on": TODAY.isoformat(),
        "csrf_token": csrf_token(client, url),
    }
    html = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "The answer is saved" in html
    db.session.expire_all()
    assert sent[0].decision == Decision.PARTLY and sent[0].decided_on == TODAY
    assert sent[0].t("reason", "en").text == "We can pay for two languages now."

    organiser, _ = signed_in(app, Role.ORGANISER)
    html = page(organiser, f"/staff/council/answers/{sent[1].id}")
    assert "You are saving this answer for" in html


def test_an_answer_needs_a_decision_and_a_reason_and_no_future_date(app):
    named = make_user(Role.COUNCILLOR)
    rnd, sent = sent_round(named, answered=0, overdue=False)
    client = app.test_client()
    sign_in(client, named)
    url = f"/staff/council/answers/{sent[0].id}"
    form = {
        "reason": "",
        "decided_on": (TODAY + timedelta(days=3)).isoformat(),
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please choose a decision." in html and "Please say why." in html
    assert "This date is in the future" in html
    db.session.expire_all()
    assert sent[0].decision is None


def test_status_updates_form_a_dated_timeline_after_the_decision(app):
    named = make_user(Role.COUNCILLOR)
    rnd, sent = sent_round(named, answered=1, overdue=False)
    with pytest.raises(responses.Refused) as refused:
        responses.add_update(sent[1], "started", "", TODAY, lang="en", actor=named)
    assert refused.value.code == "no_decision_yet"
    client = app.test_client()
    sign_in(client, named)
    url = f"/staff/council/answers/{sent[0].id}/updates"
    token = csrf_token(client, f"/staff/council/answers/{sent[0].id}")
    for status, note, days_ago in (("started", "Translators found", 2), ("planned", "Booked", 9)):
        on = (TODAY - timedelta(days=days_ago)).isoformat()
        client.post(url, data={"status": status, "note": note, "on": on, "csrf_token": token})
    assert db.session.scalar(select(func.count(ResponseUpdate.id))) == 2
    public = page(app.test_client(), f"/rounds/{rnd.slug}/you-said-we-did")
    assert public.index("Booked") < public.index("Translators found")  # oldest first
    assert "Now: Started, since" in public


# --- "You said, we did" -------------------------------------------------------------------


def test_public_page_shows_three_answers_and_two_overdue_in_plain_sight(app, client):
    rnd, sent = sent_round(make_user(Role.COMMISSIONER, name="Sam Okafor"), answered=3)
    html = page(client, f"/rounds/{rnd.slug}/you-said-we-did")
    assert html.count("Yes, we will do it") == 3
    assert html.count('<strong class="badge overdue">Overdue</strong>') == 2
    assert "Priorities answered: 3 of 5." in html and "2 answers are overdue." in html
    for r in sent[3:]:
        item = html.split(f'id="priority-{r.rank}"')[1].split("</li>")[0]
        assert "Overdue" in item and "No answer yet. It was due on" in item
    assert (
        "Translate the newsletter" in html
        and "Answer from <bdi>Sam Okafor</bdi> (Commissioner)" in html
    )
    assert "We agree with priority 1." in html
    round_page = page(client, f"/rounds/{rnd.slug}")
    assert f'href="/rounds/{rnd.slug}/you-said-we-did"' in round_page


def test_public_page_reads_in_every_language_and_marks_untranslated_answers(app, client):
    rnd, sent = sent_round(make_user(Role.COUNCILLOR), answered=3)
    html = page(client, f"/rounds/{rnd.slug}/you-said-we-did?lang=ur")
    assert '<html lang="ur" dir="rtl">' in html
    assert '<span lang="en" dir="ltr">We agree with priority 1.</span>' in html


def test_an_answer_not_yet_due_is_waiting_not_overdue(app, client):
    rnd, _ = sent_round(make_user(Role.COUNCILLOR), answered=0, overdue=False)
    html = page(client, f"/rounds/{rnd.slug}/you-said-we-did")
    assert html.count("Waiting for an answer") == 5 and "badge overdue" not in html


def test_before_sending_the_public_page_says_so(app, client):
    rnd = make_round(Phase.COUNTED)
    html = page(client, f"/rounds/{rnd.slug}/you-said-we-did")
    assert "have not been sent to the council yet" in html
    assert client.get(f"/rounds/{make_round(Phase.DRAFT).slug}/you-said-we-did").status_code == 404


# --- Contacts -----------------------------------------------------------------------------


def test_a_contact_is_stored_apart_from_ballots_and_only_once(app, client):
    rnd, _ = sent_round(make_user(Role.COUNCILLOR), answered=0, overdue=False)
    url = f"/rounds/{rnd.slug}/you-said-we-did"
    token = csrf_token(client, url)
    html = client.post(
        url, data={"address": " Amina@Example.org ", "csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "We will email you when the council answers." in html
    client.post(url, data={"address": "amina@example.org", "csrf_token": token})
    contacts = db.session.scalars(select(Contact)).all()
    assert [(c.address, c.lang, c.round_id) for c in contacts] == [
        ("amina@example.org", "en", rnd.id)
    ]
    # Nothing ties a contact to a ballot, a code or a rating, and none were made.
    assert set(Contact.__table__.columns.keys()) == {
        "id",
        "round_id",
        "address",
        "lang",
        "created_at",
    }
    assert not {fk.column.table.name for fk in Contact.__table__.foreign_keys} - {"round"}
    for model in (Ballot, VoterCode, Rating):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_a_wrong_email_is_explained_and_nothing_is_stored(app, client):
    rnd = make_round(Phase.COUNTED)
    url = f"/rounds/{rnd.slug}/you-said-we-did"
    response = client.post(
        url, data={"address": "not-an-email", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This does not look like an email address." in html and 'value="not-an-email"' in html
    assert db.session.scalar(select(func.count(Contact.id))) == 0
    assert client.post(url, data={"address": "a@example.org"}).status_code == 400  # no CSRF


def test_leaving_contacts_is_rate_limited(app, client):
    rnd = make_round(Phase.COUNTED)
    url = f"/rounds/{rnd.slug}/you-said-we-did"
    token = csrf_token(client, url)
    limit = council_routes.CONTACT_LIMIT
    codes = [
        client.post(url, data={"address": f"p{n}@example.org", "csrf_token": token}).status_code
        for n in range(limit + 1)
    ]
    assert codes[:limit] == [302] * limit and codes[limit] == 429
    assert db.session.scalar(select(func.count(Contact.id))) == limit


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_contacts_get_an_email_when_an_answer_is_first_saved(app, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    named = make_user(Role.COUNCILLOR)
    rnd, sent = sent_round(named, answered=0, overdue=False)
    responses.add_contact(rnd, "amina@example.org", "en")
    db.session.commit()
    client = app.test_client()
    sign_in(client, named)
    url = f"/staff/council/answers/{sent[0].id}"
    form = {
        "decision": "yes",
        "reason": "We agree.",
        "decided_on": TODAY.isoformat(),
        "csrf_token": csrf_token(client, url),
    }
    html = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "We are emailing 1 person who asked to hear." in html
    [message] = FakeSMTP.sent
    assert message["To"] == "amina@example.org"
    assert message["Subject"] == "The council has answered: Translate the newsletter"
    assert f"/rounds/{rnd.slug}/you-said-we-did" in message.get_content()
    client.post(url, data=form | {"reason": "We agree, and soon."})
    assert len(FakeSMTP.sent) == 1  # a change to an answer is not news twice


def test_without_mail_organisers_download_the_contacts_instead(app, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", None)  # would fail if used
    named = make_user(Role.COUNCILLOR)
    rnd, sent = sent_round(named, answered=0, overdue=False)
    responses.add_contact(rnd, "amina@example.org", "ur")
    db.session.commit()
    client = app.test_client()
    sign_in(client, named)
    url = f"/staff/council/answers/{sent[0].id}"
    form = {"decision": "no", "reason": "No money.", "decided_on": TODAY.isoformat()}
    client.post(url, data=form | {"csrf_token": csrf_token(client, url)})
    organiser, _ = signed_in(app, Role.ORGANISER)
    report = page(organiser, f"/staff/council/rounds/{rnd.slug}/top-5")
    assert "cannot send email yet" in report and "1 person asked to hear" in report
    download = organiser.get(f"/staff/council/rounds/{rnd.slug}/contacts.csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["email"] == "amina@example.org" and rows[0]["language"] == "ur"
    councillor, _ = signed_in(app, Role.COUNCILLOR)
    assert councillor.get(f"/staff/council/rounds/{rnd.slug}/contacts.csv").status_code == 403


# --- Exports ------------------------------------------------------------------------------


def _csv_rows(response):
    assert response.status_code == 200 and "text/csv" in response.headers["Content-Type"]
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_dashboard_exports_parse_and_agree_with_each_other(app):
    rnd = make_round(Phase.COUNTED)
    first, second, third = titled(rnd, '=HYPERLINK("x")', "Connectors", "Map")
    rate(rnd, rnd.barriers[0], [2, 3, 3, 4, 4, 4, 5, 5, 5])
    rate(rnd, second, [4, 5])
    counted(rnd, third)
    cast(rnd, 3, lang="ur", on=TODAY - timedelta(days=1))
    db.session.commit()
    client, _ = signed_in(app, Role.COUNCILLOR)
    rows = _csv_rows(client.get(f"/staff/council/rounds/{rnd.slug}/results.csv"))
    data = json.loads(client.get(f"/staff/council/rounds/{rnd.slug}/results.json").data)
    ratings = {(r["kind"], int(r["id"])): r for r in rows if r["section"] == "rating"}
    for item in data["barriers"] + data["remedies"]:
        row = ratings[(item["kind"], item["id"])]
        assert int(row["answers"]) == item["with_code"]["answers"]
        if item["with_code"]["mean"] is not None:
            assert float(row["mean"]) == item["with_code"]["mean"]
            assert float(row["low_95"]) == item["with_code"]["low_95"]
    barrier = data["barriers"][0]["with_code"]
    assert barrier["mean"] == pytest.approx(3.889) and barrier["low_95"] == pytest.approx(3.079)
    assert ratings[("remedy", first.id)]["name"] == '\'=HYPERLINK("x")'  # harmless in Excel
    assert [r["id"] for r in rows if r["section"] == "funded"] == [str(third.id)]
    assert data["outcome"]["funded"][0]["id"] == third.id
    assert [r["id"] for r in rows if r["section"] == "language"] == ["ur"]
    assert data["turnout"]["ballots"] == 3
    priorities = [r for r in rows if r["section"] == "priority"]
    assert [(p["rank"], p["kind"], int(p["id"])) for p in priorities][:3] == [
        ("1", "remedy", third.id),
        ("2", "remedy", second.id),
        ("3", "barrier", rnd.barriers[0].id),
    ]


def test_fairness_figures_are_in_both_exports(app):
    from coprod.tally import Election, count
    from coprod.tally.fairness import fairness

    rnd = make_round(Phase.COUNTED)
    e = Election.build(30, {"a": 20, "b": 10}, [["a"]] * 12 + [["b"]] * 10)
    area = ["north"] * 12 + ["south"] * 10
    fair = fairness(e, count(e, "greedy"), {"area": area})
    db.session.add(
        Count(
            round_id=rnd.id,
            rule="greedy",
            utility="cost",
            inputs_sha256="0" * 64,
            ballots=22,
            spent=30,
            selected=[],
            explanations={},
            summary={"fairness": fair},
        )
    )
    db.session.commit()
    client, _ = signed_in(app, Role.COUNCILLOR)
    rows = _csv_rows(client.get(f"/staff/council/rounds/{rnd.slug}/results.csv"))
    data = json.loads(client.get(f"/staff/council/rounds/{rnd.slug}/results.json").data)
    assert data["outcome"]["fairness"]["pjr"]["satisfied"] is True
    figures = {
        (r["kind"], r["id"], r["name"]): r["value"] for r in rows if r["section"] == "fairness"
    }
    assert figures[("", "", "share_with_a_winner")] == "1.0"
    assert figures[("", "", "voters")] == "22"
    assert figures[("area", "north", "satisfaction_median")] == "1.0"
    assert figures[("", "", "ejr_satisfied")] == figures[("", "", "pjr_satisfied")] == "True"
    assert figures[("", "", "other_rule")] == "equalshares/add1"


def test_answer_exports_parse_and_agree_with_the_public_page(app):
    named = make_user(Role.COUNCILLOR, name="Harjit Gill")
    rnd, sent = sent_round(named, answered=3)
    responses.add_update(sent[0], "done", "Printed", TODAY, lang="en", actor=named)
    db.session.commit()
    client, _ = signed_in(app, Role.COMMISSIONER)
    rows = _csv_rows(client.get(f"/staff/council/rounds/{rnd.slug}/answers.csv"))
    data = json.loads(client.get(f"/staff/council/rounds/{rnd.slug}/answers.json").data)
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r["decision"] for r in rows] == ["yes", "yes", "yes", "", ""]
    assert [r["overdue"] for r in rows] == ["False", "False", "False", "True", "True"]
    for row, item in zip(rows, data["answers"], strict=True):
        assert row["priority"] == item["priority"] and row["reason"] == item["reason"]
        assert row["decision_maker"] == item["decision_maker"] == "Harjit Gill"
    assert data["answers"][0]["status"] == "done"
    assert data["answers"][0]["timeline"] == [
        {"on": TODAY.isoformat(), "status": "done", "note": "Printed"}
    ]


# --- House rules --------------------------------------------------------------------------


def test_every_council_staff_route_checks_a_role_and_shuts_out_moderators(app):
    routes = [r for r in staff_routes(app) if r[0].startswith("/staff/council")]
    assert len(routes) >= 10
    for url, _method, roles in routes:
        assert Role.MODERATOR not in roles and Role.MEMBER not in roles, url
        assert Role.ORGANISER in roles, url


def test_council_pages_have_no_inline_styles_or_scripts(app):
    named = make_user(Role.COMMISSIONER)
    rnd, sent = sent_round(named, answered=2)
    rate(rnd, rnd.barriers[0], [3, 4])
    cast(rnd, 25, lang="ur")
    db.session.commit()
    client, _ = signed_in(app, Role.ORGANISER)
    for url in (
        "/staff/council",
        f"/staff/council/rounds/{rnd.slug}",
        f"/staff/council/rounds/{rnd.slug}/top-5",
        f"/staff/council/answers/{sent[0].id}",
        f"/rounds/{rnd.slug}/you-said-we-did",
    ):
        html = page(client, url)
        # Scripts only from our own files (the Listen button's), never written in the page.
        inline_script = re.search(r"<script(?![^>]*\bsrc=\"/static/)", html)
        assert "style=" not in html and "<style" not in html and not inline_script, url


def test_an_answer_keeps_the_language_it_was_written_in(app, client):
    named = make_user(Role.COUNCILLOR, lang="ur")
    rnd, sent = sent_round(named, answered=0, overdue=False)
    responses.record_decision(
        sent[0], Decision.YES, "ہم متفق ہیں", "", TODAY, lang="ur", actor=named
    )
    db.session.commit()
    organiser, _ = signed_in(app, Role.ORGANISER)
    url = f"/staff/council/answers/{sent[0].id}"
    form = page(organiser, url)
    assert "ہم متفق ہیں" in form  # the English page offers the Urdu text to change
    organiser.post(
        url,
        data={
            "decision": "yes",
            "reason": "ہم متفق ہیں۔",
            "decided_on": TODAY.isoformat(),
            "csrf_token": csrf_token(organiser, url),
        },
    )
    db.session.expire_all()
    assert sent[0].content.languages() == {"ur"}
    public = page(client, f"/rounds/{rnd.slug}/you-said-we-did")
    assert '<span lang="ur" dir="rtl">ہم متفق ہیں۔</span>' in public
