"""Moderation: the queue, decisions with their audit trail and public history, reports."""

import re

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import AuditEvent, Phase, RemedyReport, RemedyStatus, Role
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_propose import make_group, post_proposal, remedies_of
from tests.test_staff import sign_in, staff_routes


def decide(client, remedy, decision: str, **data):
    page = f"/staff/moderate/remedies/{remedy.id}"
    token = csrf_token(client, page)
    return client.post(f"{page}/{decision}", data=data | {"csrf_token": token})


def audit_trail(remedy) -> list[tuple[str, int | None]]:
    return db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.remedy_id == remedy.id)
        .order_by(AuditEvent.id)
    ).all()


def test_moderation_routes_are_in_the_role_walk(app):
    walked = {(url, method): roles for url, method, roles in staff_routes(app)}
    moderators = {Role.MODERATOR, Role.ORGANISER}
    assert walked[("/staff/moderate/", "GET")] == moderators
    for decision in ("publish", "ask-for-changes", "reject", "review-translation"):
        assert walked[(f"/staff/moderate/remedies/1/{decision}", "POST")] == moderators
    assert walked[("/staff/moderate/reports/1/resolve", "POST")] == moderators
    assert walked[("/staff/members", "GET")] == {Role.ORGANISER}
    assert walked[("/staff/members/1/password-link", "POST")] == {Role.ORGANISER}


def test_an_idea_goes_from_draft_to_published_with_changes_on_the_way(app, client):
    rnd = make_round(Phase.PROPOSING)
    group = make_group()
    member = make_user(group=group)
    moderator = make_user(Role.MODERATOR)
    sign_in(client, member)
    post_proposal(client, rnd)
    [remedy] = remedies_of(group)
    assert remedy.status == RemedyStatus.DRAFT
    staff = app.test_client()
    sign_in(staff, moderator)
    assert "Welcome packs" not in staff.get("/staff/moderate/").get_data(as_text=True)

    post_proposal(client, rnd, url=f"/proposals/{remedy.id}/edit", action="send")
    assert remedies_of(group)[0].status == RemedyStatus.SUBMITTED
    assert client.get(f"/proposals/{remedy.id}/edit").status_code == 302  # no changes now
    queue = staff.get("/staff/moderate/").get_data(as_text=True)
    assert "1 idea is waiting for a check" in queue and "Welcome packs" in queue
    public = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    assert client.get(public).status_code == 404

    empty = decide(staff, remedy, "ask-for-changes", message="  ")
    assert empty.status_code == 400
    assert "Please tell the group what to change." in empty.get_data(as_text=True)
    assert remedies_of(group)[0].status == RemedyStatus.SUBMITTED

    decide(staff, remedy, "ask-for-changes", message="Please say which five languages.")
    assert remedies_of(group)[0].status == RemedyStatus.CHANGES_REQUESTED
    mine = client.get("/my-group").get_data(as_text=True)
    assert "Changes asked for" in mine and "Please say which five languages." in mine
    form = client.get(f"/proposals/{remedy.id}/edit").get_data(as_text=True)
    assert "Please say which five languages." in form

    post_proposal(
        client,
        rnd,
        url=f"/proposals/{remedy.id}/edit",
        action="send",
        proposal="Packs in Urdu, Arabic, Bengali, Polish and Somali.",
    )
    assert remedies_of(group)[0].status == RemedyStatus.SUBMITTED
    response = decide(staff, remedy, "publish")
    assert response.status_code == 302
    [remedy] = remedies_of(group)
    assert remedy.status == RemedyStatus.PUBLISHED and remedy.published_at is not None

    page = client.get(public).get_data(as_text=True)
    assert "Packs in Urdu, Arabic, Bengali, Polish and Somali." in page
    history = page[page.index("What has happened to this idea") :]
    steps = re.findall(r"<li><time datetime=\"[\d-]+\">[^<]+</time>: ([^<]+)</li>", history)
    assert steps == [
        "Sent by the group for a check",
        "A moderator asked for changes",
        "Sent by the group for a check",
        "Checked and published",
    ]
    assert "Please say which five languages." not in page  # the message stays with the group
    assert [a for a in audit_trail(remedy) if a[0] != "remedy_saved"] == [
        ("remedy_submitted", member.id),
        ("remedy_changes_requested", moderator.id),
        ("remedy_submitted", member.id),
        ("remedy_published", moderator.id),
    ]


def test_saying_no_needs_a_reason_that_the_group_then_sees(app, client):
    rnd = make_round(Phase.PROPOSING)
    group = make_group()
    sign_in(client, make_user(group=group))
    post_proposal(client, rnd, action="send")
    [remedy] = remedies_of(group)
    staff = app.test_client()
    organiser = make_user(Role.ORGANISER)
    sign_in(staff, organiser)

    refused = decide(staff, remedy, "reject", reason="")
    assert refused.status_code == 400
    assert "Please give the group a reason." in refused.get_data(as_text=True)
    assert remedies_of(group)[0].status == RemedyStatus.SUBMITTED

    decide(staff, remedy, "reject", reason="The council already runs this <b>service</b>.")
    assert remedies_of(group)[0].status == RemedyStatus.SUBMITTED  # no HTML, even from staff
    decide(staff, remedy, "reject", reason="The council already runs this service.")
    assert remedies_of(group)[0].status == RemedyStatus.REJECTED
    page = client.get(f"/proposals/{remedy.id}").get_data(as_text=True)
    assert "Why it can" in page and "The council already runs this service." in page
    assert client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}").status_code == 404
    assert audit_trail(remedy)[-1] == ("remedy_rejected", organiser.id)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.detail == {
        "before": "submitted",
        "message": "The council already runs this service.",
    }


def test_a_citizens_report_reaches_the_queue_and_can_be_dealt_with(app, client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    token = csrf_token(client, url)

    empty = client.post(f"{url}/report", data={"reason": " ", "csrf_token": token})
    assert empty.status_code == 400
    assert "Please tell us what is wrong." in empty.get_data(as_text=True)
    long = "x" * 1001
    too_long = client.post(f"{url}/report", data={"reason": long, "csrf_token": token})
    assert too_long.status_code == 400 and long in too_long.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RemedyReport.id))) == 0

    response = client.post(
        f"{url}/report", data={"reason": "The cost is <wrong> & made up", "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Thank you for telling us" in client.get(url).get_data(as_text=True)

    staff = app.test_client()
    moderator = make_user(Role.MODERATOR)
    sign_in(staff, moderator)
    queue = staff.get("/staff/moderate/").get_data(as_text=True)
    assert "1 report from citizens" in queue
    assert "The cost is &lt;wrong&gt; &amp; made up" in queue
    report = db.session.scalar(select(RemedyReport))
    token = csrf_token(staff, "/staff/moderate/")
    staff.post(f"/staff/moderate/reports/{report.id}/resolve", data={"csrf_token": token})
    assert "0 reports from citizens" in staff.get("/staff/moderate/").get_data(as_text=True)
    assert [a for a, _ in audit_trail(remedy)] == ["remedy_reported", "report_resolved"]


def test_reports_are_rate_limited(client):
    rnd = make_round(Phase.RATING)
    url = f"/rounds/{rnd.slug}/remedies/{rnd.remedies[0].id}"
    token = csrf_token(client, url)
    statuses = [
        client.post(f"{url}/report", data={"reason": "spam", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [302] * 10 + [429]
    assert db.session.scalar(select(func.count(RemedyReport.id))) == 10


def test_only_published_ideas_can_be_reported(client):
    rnd = make_round(Phase.RATING)
    hidden = rnd.remedies[1]
    hidden.status = RemedyStatus.SUBMITTED
    db.session.commit()
    token = csrf_token(client, f"/rounds/{rnd.slug}/remedies/{rnd.remedies[0].id}")
    refused = client.post(
        f"/rounds/{rnd.slug}/remedies/{hidden.id}/report",
        data={"reason": "spam", "csrf_token": token},
    )
    assert refused.status_code == 404
    assert db.session.scalar(select(func.count(RemedyReport.id))) == 0


def test_asking_for_changes_to_a_published_idea_takes_it_down_and_closes_its_reports(app, client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    token = csrf_token(client, url)
    client.post(f"{url}/report", data={"reason": "Not true", "csrf_token": token})
    sign_in(client, make_user(Role.MODERATOR))
    page = client.get(f"/staff/moderate/remedies/{remedy.id}").get_data(as_text=True)
    assert "Not true" in page
    decide(client, remedy, "ask-for-changes", message="Please check the cost.")
    db.session.expire_all()
    assert remedy.status == RemedyStatus.CHANGES_REQUESTED
    assert client.get(url).status_code == 404
    assert db.session.scalar(select(RemedyReport.resolved)) is True


def test_the_list_of_ideas_cannot_change_once_voting_opened(client):
    rnd = make_round(Phase.VOTING)
    remedy = rnd.remedies[0]
    sign_in(client, make_user(Role.MODERATOR))
    response = decide(client, remedy, "reject", reason="Too late")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Voting has started, so the list of ideas can" in page
    db.session.expire_all()
    assert remedy.status == RemedyStatus.PUBLISHED


def test_a_moderator_marks_a_translation_as_checked(app, client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    remedy.content.set("title", "ar", "حزم ترحيب", reviewed=False)
    db.session.commit()
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    reader = app.test_client()
    arabic = {"Accept-Language": "ar"}
    assert "حزم ترحيب" in reader.get(url, headers=arabic).get_data(as_text=True)

    moderator = make_user(Role.MODERATOR)
    sign_in(client, moderator)
    queue = client.get("/staff/moderate/").get_data(as_text=True)
    assert "1 translation to check" in queue and "العربية" in queue
    decide(client, remedy, "review-translation", lang="ar")
    db.session.expire_all()
    assert remedy.t("title", "ar").reviewed
    assert "0 translations to check" in client.get("/staff/moderate/").get_data(as_text=True)
    assert audit_trail(remedy)[-1] == ("translation_reviewed", moderator.id)
