"""Ideas outside rounds: put up, checked, supported once per person, answered by a date;
followers told in their language through GOV.UK Notify (a fake Notify server checks each
request) or SMTP (the messages recorded)."""

import json
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.following import operations as following
from coprod.following.models import Follower
from coprod.ideas import operations as ideas
from coprod.ideas.models import Idea, IdeaSupport, SupportWay
from coprod.jobs import tick
from coprod.models import Area, AuditEvent, Phase, RemedyStatus, Role
from coprod.operations import codes
from coprod.operations.content import new_content
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

SECRET = "test-secret"
TODAY = date.today()


def an_area(name: str = "Sparkbrook", population: int | None = 2000) -> Area:
    area = Area(slug=name.lower(), name=name, population=population)
    db.session.add(area)
    db.session.commit()
    return area


def an_idea(area: Area, *, needed: int = 3, answerer=None, answer_days: int = 30) -> Idea:
    """A published idea in an area whose threshold is `needed` supporters."""
    organiser = make_user(Role.ORGANISER)
    ideas.set_rule(
        area,
        supporters=needed,
        percent=None,
        answer_days=answer_days,
        decision_maker=answerer,
        keep_days=90,
        actor=organiser,
    )
    idea = Idea(
        area_id=area.id,
        status=RemedyStatus.PUBLISHED,
        now_cost=9000,
        proposal_cost=4000,
        content=new_content(
            "en",
            {
                "title": {
                    "en": "Open the library late",
                    "ur": "لائبریری دیر تک کھولیں",
                    "pl": "Dłużej otwarta biblioteka",
                },
                "now": "It shuts at 5 pm.",
                "proposal": "Volunteers keep it open until 8 pm.",
            },
        ),
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def queued_idea(area: Area, answerer) -> Idea:
    idea = an_idea(area, needed=1, answerer=answerer)
    ideas.add_support(idea, SupportWay.PAPER, "someone", name="A", address="B")
    db.session.commit()
    return idea


def test_an_idea_is_checked_before_anyone_sees_it(app, client):
    area = an_area()
    token = csrf_token(client, "/ideas/new")
    form = {
        "csrf_token": token,
        "area": str(area.id),
        "title": "Benches by the bus stop",
        "now": "People stand for 20 minutes.",
        "now_cost": "0",
        "proposal": "Two benches.",
        "proposal_cost": "£1,200",
    }
    sent = client.post("/ideas/new", data=form)
    yours = sent.headers["Location"]  # the author's private page
    html = client.get(yours).get_data(as_text=True)
    assert "A moderator will check your idea" in html
    assert "Benches by the bus stop" in html and "Keep this page" in html
    assert "Benches by the bus stop" not in client.get("/ideas").get_data(as_text=True)
    idea = db.session.scalars(select(Idea)).one()
    assert idea.proposal_cost == 1200 and idea.status == RemedyStatus.SUBMITTED
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert client.get(yours[:-3] + "xyz").status_code == 404

    # The moderator asks for changes (a message is needed); the author reads it in their
    # language's page, changes the idea, and it comes back to the queue.
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    assert "Benches by the bus stop" in moderator.get("/staff/moderate/").get_data(as_text=True)
    check = f"/staff/moderate/ideas/{idea.id}"
    empty = {"csrf_token": csrf_token(moderator, check), "message": " "}
    assert moderator.post(f"{check}/changes", data=empty).status_code == 400
    moderator.post(f"{check}/changes", data=empty | {"message": "Say which bus stop, please."})
    assert "Benches by the bus stop" not in moderator.get("/staff/moderate/").get_data(as_text=True)
    polish = client.get(yours, headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Say which bus stop, please." in polish and 'lang="pl"' in polish
    changed = form | {"csrf_token": csrf_token(client, yours), "title": "Benches at stop 45"}
    del changed["area"]
    assert client.post(yours, data=changed | {"now": ""}).status_code == 400
    client.post(yours, data=changed)
    assert "Benches at stop 45" in moderator.get("/staff/moderate/").get_data(as_text=True)
    assert "Say which bus stop" in moderator.get(check).get_data(as_text=True)
    again = client.post(yours, data=changed | {"title": "Not now"})  # no change while waiting
    assert again.status_code == 200 and "Not now" not in again.get_data(as_text=True)
    db.session.expire_all()
    assert idea.t("title", "en").text == "Benches at stop 45"
    url = f"/staff/moderate/ideas/{idea.id}/publish"
    moderator.post(
        url, data={"csrf_token": csrf_token(moderator, f"/staff/moderate/ideas/{idea.id}")}
    )
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Benches at stop 45" in page and "Support this idea" in page


def test_a_bad_idea_form_keeps_what_was_typed(app, client):
    an_area()
    token = csrf_token(client, "/ideas/new")
    response = client.post(
        "/ideas/new", data={"csrf_token": token, "title": "<b>x</b>", "now_cost": "lots"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Error:" in html
    assert "Please choose an area." in html and "Please write a whole number" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_voter_code_of_the_area_supports_once(app, client):
    area = an_area()
    other = an_area("Moseley")
    idea = an_idea(area)
    rnd = make_round(Phase.VOTING)
    [mine] = codes.make_codes(SECRET, rnd, 1, area_id=area.id)
    [theirs] = codes.make_codes(SECRET, rnd, 1, area_id=other.id)
    db.session.commit()
    url = f"/ideas/{idea.id}"
    token = csrf_token(client, url)
    html = client.post(
        f"{url}/support-by-code", data={"csrf_token": token, "code": theirs.lower()}
    ).get_data(as_text=True)
    assert "This voter code is not for this area." in html
    said = client.post(
        f"{url}/support-by-code", data={"csrf_token": token, "code": mine}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Your support is counted." in said and "1 supporter of 3 needed" in said
    again = client.post(
        f"{url}/support-by-code",
        data={"csrf_token": token, "code": codes.pretty(mine)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "It counts once." in again and "1 supporter of 3 needed" in again


def test_paper_forms_count_once_and_the_threshold_starts_the_duty_to_answer(app, client):
    area = an_area()
    councillor = make_user(Role.COUNCILLOR)
    idea = an_idea(area, needed=3, answerer=councillor, answer_days=30)
    staff = app.test_client()
    sign_in(staff, make_user(Role.MODERATOR))
    url = f"/staff/ideas/{idea.id}/paper"
    token = csrf_token(staff, url)
    for name, address in [
        ("Amina Khan", "5 High St"),
        ("amina  khan", "5, High St."),  # the same person, typed differently
        ("Piotr Nowak", "7 Low Rd"),
    ]:
        staff.post(url, data={"csrf_token": token, "name": name, "address": address})
    assert ideas.supporters(idea) == 2
    assert idea.due_on is None
    staff.post(url, data={"csrf_token": token, "name": "Sana Ali", "address": "9 Mill Lane"})
    db.session.refresh(idea)
    assert idea.due_on == TODAY + timedelta(days=30) and idea.decision_maker_id == councillor.id
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "The council must answer by" in page and "3 supporters of 3 needed" in page
    # names and addresses go once the privacy settings say, after the answer
    idea.decision, idea.decided_on = ideas.IdeaAnswer.WILL_DO, TODAY - timedelta(days=91)
    db.session.commit()
    assert ideas.forget_paper_details(TODAY) == 3
    assert db.session.scalar(select(func.count()).where(IdeaSupport.name.is_not(None))) == 0


def test_a_share_of_the_population_is_a_threshold(app):
    area = an_area(population=2500)
    rule = ideas.set_rule(
        area,
        supporters=None,
        percent=1.0,
        answer_days=10,
        decision_maker=None,
        keep_days=1,
        actor=make_user(Role.ORGANISER),
    )
    assert rule.needed() == 25


def test_an_overdue_answer_is_red_on_the_public_page_and_the_dashboard(app, client):
    councillor = make_user(Role.COUNCILLOR)
    idea = queued_idea(an_area(), councillor)
    idea.due_on = TODAY - timedelta(days=1)
    db.session.commit()
    assert "Overdue" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Overdue" in client.get("/ideas").get_data(as_text=True)
    polish = client.get("/ideas", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "badge overdue" in polish and "Overdue" not in polish
    staff = app.test_client()
    sign_in(staff, councillor)
    board = staff.get("/staff/council").get_data(as_text=True)
    assert "Ideas the council must answer" in board and "Overdue" in board


def test_only_the_named_person_or_an_organiser_answers(app, client):
    councillor = make_user(Role.COUNCILLOR)
    idea = queued_idea(an_area(), councillor)
    someone_else = app.test_client()
    sign_in(someone_else, make_user(Role.COUNCILLOR))
    assert someone_else.get(f"/staff/council/ideas/{idea.id}").status_code == 403
    staff = app.test_client()
    sign_in(staff, councillor)
    url = f"/staff/council/ideas/{idea.id}"
    form = {
        "csrf_token": csrf_token(staff, url),
        "decision": "no",
        "reason": "",
        "decided_on": TODAY.isoformat(),
    }
    bad = staff.post(url, data=form)
    assert bad.status_code == 400 and "Please say why." in bad.get_data(as_text=True)
    staff.post(url, data=form | {"reason": "The building is being repaired."})
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "No, and this is why" in page and "The building is being repaired." in page


def test_a_translated_answer_is_marked_until_a_moderator_checks_it(app, client):
    councillor = make_user(Role.COUNCILLOR)
    idea = queued_idea(an_area(), councillor)
    ideas.answer(
        idea, ideas.IdeaAnswer.MORE_INFO, "Which evenings?", TODAY, lang="en", actor=councillor
    )
    db.session.commit()
    member = app.test_client()
    sign_in(member, make_user(Role.MEMBER))
    url = f"/ideas/{idea.id}/translate-answer"
    member.post(
        url, data={"csrf_token": csrf_token(member, url), "lang": "pl", "reason": "Które wieczory?"}
    )
    polish = client.get(f"/ideas/{idea.id}", headers={"Accept-Language": "pl"}).get_data(
        as_text=True
    )
    assert "Które wieczory?" in polish and "unchecked" in polish
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    page = f"/staff/moderate/ideas/{idea.id}"
    moderator.post(
        f"{page}/review-translation", data={"csrf_token": csrf_token(moderator, page), "lang": "pl"}
    )
    polish = client.get(f"/ideas/{idea.id}", headers={"Accept-Language": "pl"}).get_data(
        as_text=True
    )
    assert "Które wieczory?" in polish and "unchecked" not in polish


# --- Support counted once under concurrent requests (PostgreSQL) --------------------------------


def _press_together(clients: list, url: str, forms: list[dict]) -> list[int]:
    start = threading.Barrier(len(clients))
    codes_seen: list[int] = []

    def press(client, form) -> None:
        start.wait(30)
        codes_seen.append(client.post(url, data=form).status_code)

    threads = [threading.Thread(target=press, args=p) for p in zip(clients, forms, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return codes_seen


def test_support_counts_once_when_pressed_at_the_same_moment(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and unique constraints racing: PostgreSQL only")
    area = an_area()
    idea = an_idea(area, needed=4)
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(SECRET, rnd, 4, area_id=area.id)
    db.session.commit()
    url = f"/ideas/{idea.id}/support-by-code"
    # The same code from four browsers at once, then three other codes at once: the one
    # that reaches the threshold starts the duty to answer exactly once.
    clients = [app.test_client() for _ in range(4)]
    forms = [{"csrf_token": csrf_token(c, f"/ideas/{idea.id}"), "code": made[0]} for c in clients]
    assert _press_together(clients, url, forms) == [302] * 4
    assert ideas.supporters(idea) == 1
    forms = [f | {"code": code} for f, code in zip(forms[1:], made[1:], strict=True)]
    assert _press_together(clients[1:], url, forms) == [302] * 3
    db.session.expire_all()
    assert ideas.supporters(idea) == 4
    queued = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "idea_queued")).all()
    assert len(queued) == 1 and idea.due_on is not None


def test_a_code_and_an_email_proved_in_one_browser_count_once_even_at_the_same_moment(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and unique constraints racing: PostgreSQL only")
    from itsdangerous import URLSafeTimedSerializer

    area = an_area()
    idea = an_idea(area, needed=9)
    rnd = make_round(Phase.VOTING)
    code, other_code = codes.make_codes(SECRET, rnd, 2, area_id=area.id)
    signer = URLSafeTimedSerializer(SECRET, salt="idea-support")

    def link_for(address: str) -> str:  # as the email asking to confirm would carry it
        key = ideas.email_key(SECRET, address)
        ideas.add_support(idea, SupportWay.EMAIL, key, confirmed=False)
        db.session.commit()
        return f"/ideas/{idea.id}/confirm/{signer.dumps([idea.id, key])}"

    # One browser (four tabs sharing its session) presses "support with my voter code" and
    # opens the email's link at the same moment: one person.
    link = link_for("sana@example.org")
    first = app.test_client()
    token = csrf_token(first, link)
    tabs = [first] + [app.test_client() for _ in range(3)]
    for tab in tabs[1:]:
        tab.set_cookie("session", first.get_cookie("session").value)
    by_code = (f"/ideas/{idea.id}/support-by-code", {"csrf_token": token, "code": code})
    by_link = (link, {"csrf_token": token})
    presses = [by_code, by_link, by_code, by_link]
    start = threading.Barrier(len(tabs))
    statuses: list[int] = []

    def press(tab, url_and_form) -> None:
        start.wait(30)
        statuses.append(tab.post(url_and_form[0], data=url_and_form[1]).status_code)

    threads = [threading.Thread(target=press, args=p) for p in zip(tabs, presses, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [302] * 4
    db.session.expire_all()
    assert ideas.supporters(idea) == 1
    rows = db.session.scalars(select(IdeaSupport).where(IdeaSupport.confirmed)).all()
    assert {r.way for r in rows} == {SupportWay.CODE, SupportWay.EMAIL}

    # Counted apart in two browsers, then both shown in one: they become one person.
    elsewhere, here = app.test_client(), app.test_client()
    elsewhere.post(
        f"/ideas/{idea.id}/support-by-code",
        data={"csrf_token": csrf_token(elsewhere, f"/ideas/{idea.id}"), "code": other_code},
    )
    link = link_for("piotr@example.org")
    here.post(link, data={"csrf_token": csrf_token(here, link)})
    assert ideas.supporters(idea) == 3
    said = here.post(
        f"/ideas/{idea.id}/support-by-code",
        data={"csrf_token": csrf_token(here, f"/ideas/{idea.id}"), "code": other_code},
        follow_redirects=True,
    )
    assert "It counts once." in said.get_data(as_text=True)
    db.session.expire_all()
    assert ideas.supporters(idea) == 2


# --- Following: GOV.UK Notify (a fake server) and SMTP ------------------------------------------

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
API_SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"


class FakeNotify(BaseHTTPRequestHandler):
    """GOV.UK Notify's v2 API, as far as sending goes: checks the signed token and the body."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, API_SECRET, algorithms=["HS256"])
        assert claims["iss"] == SERVICE_ID
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path in ("/v2/notifications/email", "/v2/notifications/sms"), self.path
        assert body["template_id"] in ("email-template", "sms-template")
        FakeNotify.received.append({"path": self.path, **body})
        reply = json.dumps({"id": "a1b2", "content": {}}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(app):
    server = HTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    FakeNotify.received = []
    app.config.update(
        NOTIFY_API_KEY=f"coprod_test-{SERVICE_ID}-{API_SECRET}",
        NOTIFY_BASE_URL=f"http://127.0.0.1:{server.server_port}",
        NOTIFY_EMAIL_TEMPLATE_ID="email-template",
        NOTIFY_SMS_TEMPLATE_ID="sms-template",
    )
    yield FakeNotify.received
    server.shutdown()
    server.server_close()


def follow(client, idea, address, lang):
    url = f"/ideas/{idea.id}"
    return client.post(
        f"/follow/idea/{idea.id}",
        data={"csrf_token": csrf_token(client, url), "address": address, "lang": lang},
        follow_redirects=True,
    )


def test_followers_hear_the_answer_in_their_language_through_notify(app, client, notify):
    councillor = make_user(Role.COUNCILLOR)
    idea = queued_idea(an_area(), councillor)
    follow(client, idea, "amina@example.org", "ur")
    follow(client, idea, "+44 7700 900123", "pl")
    said = follow(client, idea, "AMINA@example.org", "ur").get_data(as_text=True)
    assert "We will tell you" in said
    assert db.session.scalar(select(func.count(Follower.id))) == 2
    staff = app.test_client()
    sign_in(staff, councillor)
    url = f"/staff/council/ideas/{idea.id}"
    form = {
        "csrf_token": csrf_token(staff, url),
        "decision": "will_do",
        "reason": "Yes.",
        "decided_on": TODAY.isoformat(),
    }
    staff.post(url, data=form)
    by_path = {r["path"]: r for r in notify}
    assert len(notify) == 2
    email = by_path["/v2/notifications/email"]
    assert email["email_address"] == "amina@example.org"
    assert "لائبریری دیر تک کھولیں" in email["personalisation"]["subject"]
    assert "کونسل" in email["personalisation"]["subject"]  # "the council", in Urdu
    sms = by_path["/v2/notifications/sms"]
    assert sms["phone_number"] == "+44 7700 900123"
    assert "Dłużej otwarta biblioteka" in sms["personalisation"]["body"]
    assert "Rada" in sms["personalisation"]["body"]  # "the council", in Polish
    # a change to the answer is not news twice; an unfollowed person hears nothing more
    staff.post(url, data=form | {"reason": "Yes, from March."})
    assert len(notify) == 2
    [path] = re.findall(r"/unfollow/\S+", email["personalisation"]["body"])
    assert "Stop the messages" in client.get(path).get_data(as_text=True)
    assert "No more messages" in client.post(path).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Follower.id))) == 1


class RecordingSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        RecordingSMTP.sent.append(message)


def test_without_notify_followers_are_emailed_and_told_once_when_it_is_late(
    app, client, monkeypatch
):
    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    idea = queued_idea(an_area(), make_user(Role.COUNCILLOR))
    follow(client, idea, "piotr@example.org", "pl")
    idea.due_on = TODAY - timedelta(days=1)
    db.session.commit()
    tick()
    db.session.commit()
    tick()
    db.session.commit()
    [message] = RecordingSMTP.sent
    assert message["To"] == "piotr@example.org"
    assert "Dłużej otwarta biblioteka" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unfollow = message["List-Unsubscribe"].strip("<>").removeprefix(app.config["PUBLIC_URL"])
    assert client.post(unfollow).status_code == 200
    assert following.tell("idea", idea.id, "answered") == 0


def test_support_by_email_counts_once_the_link_is_opened(app, client, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    idea = an_idea(an_area(), needed=5)
    url = f"/ideas/{idea.id}"
    form = {"csrf_token": csrf_token(client, url), "email": "Sana@Example.org"}
    said = client.post(f"{url}/support-by-email", data=form, follow_redirects=True)
    assert "Open the link in it" in said.get_data(as_text=True)
    assert ideas.supporters(idea) == 0  # not until the link is opened
    [message] = RecordingSMTP.sent
    [link] = re.findall(r"/ideas/\d+/confirm/\S+", message.get_content())
    page = client.get(link)
    assert "Count my support" in page.get_data(as_text=True)
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert ideas.supporters(idea) == 1
    again = client.post(link, data={"csrf_token": csrf_token(client, link)}, follow_redirects=True)
    assert "It counts once." in again.get_data(as_text=True) and ideas.supporters(idea) == 1
    # the same address, typed differently, is the same person
    client.post(f"{url}/support-by-email", data=form | {"email": "sana@example.org "})
    assert ideas.supporters(idea) == 1 and len(RecordingSMTP.sent) == 1
    assert client.get(link[:-4] + "xxxx").status_code == 404


def test_followers_of_a_remedy_hear_once_when_its_top_five_answer_is_late(app, client, monkeypatch):
    from tests.test_council import sent_round

    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    rnd, sent = sent_round(make_user(Role.COUNCILLOR), answered=0, overdue=True)
    remedy_id = next(r.remedy_id for r in sent if r.remedy_id)
    following.follow("remedy", remedy_id, "email", "ola@example.org", "pl")
    db.session.commit()
    tick()
    db.session.commit()
    tick()
    db.session.commit()
    [message] = RecordingSMTP.sent
    assert message["To"] == "ola@example.org" and "spóźnia" in message["Subject"]


def test_a_phone_number_needs_notify(app, client):
    idea = queued_idea(an_area(), make_user(Role.COUNCILLOR))
    app.config["MAIL_SERVER"] = "smtp.example.org"
    said = follow(client, idea, "07700 900123", "en").get_data(as_text=True)
    assert "We cannot send text messages." in said
    assert db.session.scalar(select(func.count(Follower.id))) == 0


class DeadSMTP(RecordingSMTP):
    def send_message(self, message):
        raise ConnectionRefusedError("the mail server is down")


def test_messages_the_jobs_gave_up_on_are_shown_to_organisers_who_can_send_them_again(
    app, client, monkeypatch
):
    from datetime import datetime

    from coprod.models import UnsentEmail

    monkeypatch.setattr("smtplib.SMTP", DeadSMTP)
    app.config["MAIL_SERVER"] = "smtp.example.org"
    idea = queued_idea(an_area(), make_user(Role.COUNCILLOR))
    follow(client, idea, "piotr@example.org", "en")
    follow(client, idea, "ola@example.org", "en")
    following.tell("idea", idea.id, "answered")
    db.session.commit()
    huey = app.extensions["coprod.jobs"].huey
    while due := huey.read_schedule(datetime(2999, 1, 1)):  # every retry, at once
        for task in due:
            huey.execute(task, datetime(2999, 1, 1))
    assert db.session.scalar(select(func.count(UnsentEmail.id)).where(UnsentEmail.gave_up)) == 2

    organiser = app.test_client()
    sign_in(organiser, make_user(Role.ORGANISER))
    page = organiser.get("/staff/").get_data(as_text=True)
    assert "The council has answered: Open the library late" in page
    assert "<td>2</td>" in page and "We could not reach the email or text service." in page
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    assert "Try again" not in moderator.get("/staff/").get_data(as_text=True)
    [row_id] = re.findall(r"/staff/unsent-emails/(\d+)/send-again", page)
    url = f"/staff/unsent-emails/{row_id}/send-again"
    refused = moderator.post(url, data={"csrf_token": csrf_token(moderator, "/staff/")})
    assert refused.status_code == 403
    assert organiser.post(url).status_code in (302, 400)  # no CSRF token: nothing sent
    assert db.session.scalar(select(func.count(UnsentEmail.id))) == 2

    # The mail server is back: one press sends it again to both.
    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    said = organiser.post(
        url, data={"csrf_token": csrf_token(organiser, "/staff/")}, follow_redirects=True
    )
    assert "We will try again to send it to 2 people." in said.get_data(as_text=True)
    assert sorted(m["To"] for m in RecordingSMTP.sent) == ["ola@example.org", "piotr@example.org"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(UnsentEmail.id))) == 0
    again = organiser.post(
        url, data={"csrf_token": csrf_token(organiser, "/staff/")}, follow_redirects=True
    )
    assert again.status_code == 200 and "not waiting any more" in again.get_data(as_text=True)
