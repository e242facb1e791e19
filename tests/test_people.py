"""People and their roles: the first organiser, invitations, role changes and removal."""

import re

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import AuditEvent, Role, User
from tests.conftest import csrf_token
from tests.factories import make_user

PASSWORD = "correct horse battery"


def sign_in(client, email, password=PASSWORD):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_the_first_organiser_is_made_from_the_command_line_and_signs_in(app, runner):
    result = runner.invoke(
        args=[
            "staff",
            "create",
            "--email",
            "Ann@Example.org",
            "--name",
            "Ann Jones",
            "--role",
            "organiser",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Ann Jones" in result.output
    client = app.test_client()
    assert sign_in(client, "ann@example.org").status_code == 302
    assert client.get("/staff/").status_code == 200
    again = runner.invoke(
        args=["staff", "create", "--email", "ann@example.org", "--name", "Ann", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert again.exit_code != 0 and "already" in again.output
    short = runner.invoke(
        args=["staff", "create", "--email", "b@example.org", "--name", "B", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "10 characters" in short.output
    assert db.session.scalar(select(AuditEvent.action)) == "staff_created"


def organiser_client(app, **fields):
    organiser = make_user(Role.ORGANISER, **fields)
    client = app.test_client()
    assert sign_in(client, organiser.email).status_code == 302
    return client, organiser


def invite(client, how="link", **fields):
    data = {"name": "Bo Smith", "email": "bo@example.org", "role": "moderator", "how": how}
    data |= fields
    data["csrf_token"] = csrf_token(client, "/staff/people")
    return client.post("/staff/people", data=data)


LINK = re.compile(r"http://[^\s<]+/welcome/\d+/[\w.-]+")


def test_an_invited_person_opens_the_link_once_sets_a_password_and_has_the_role(app):
    client, _organiser = organiser_client(app)
    page = invite(client, role="commissioner").get_data(as_text=True)
    assert "It works once, for seven days" in page
    link = LINK.search(page).group(0)
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]
    newcomer = app.test_client()
    assert "Choose a new password" in newcomer.get(path).get_data(as_text=True)
    token = csrf_token(newcomer, path)
    done = newcomer.post(
        path,
        data={
            "password": "a new long password",
            "again": "a new long password",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    assert newcomer.get("/staff/").status_code == 200  # signed in as staff
    bo = db.session.scalar(select(User).where(User.email == "bo@example.org"))
    assert bo.role == Role.COMMISSIONER
    # The link works once.
    assert app.test_client().get(path).status_code == 400
    assert sign_in(app.test_client(), "bo@example.org", "a new long password").status_code == 302
    # The invitation shows in the list of staff.
    assert "Bo Smith" in client.get("/staff/people").get_data(as_text=True)


def test_an_invitation_link_stops_working_after_seven_days(app, monkeypatch):
    client, _organiser = organiser_client(app)
    page = invite(client).get_data(as_text=True)
    path = "/" + LINK.search(page).group(0).split("/", 3)[3]
    assert app.test_client().get(path).status_code == 200
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 8 * 24 * 3600)
    expired = app.test_client().get(path)
    assert expired.status_code == 400
    # The page tells the truth about invitations (a week, not a day) and whom to ask.
    text = expired.get_data(as_text=True)
    assert "works only once, for a week" in text and "for one day" not in text
    assert "Ask the person who invited you" in text


def test_an_invitation_by_email_is_queued_for_the_worker(app, monkeypatch):
    app.config["MAIL_SERVER"] = "mail.example.org"
    sent = []
    monkeypatch.setattr("coprod.mail.send", lambda messages: sent.extend(messages))
    client, _organiser = organiser_client(app, name="Ann Jones")
    page = invite(client, how="email").get_data(as_text=True)
    assert [m["To"] for m in sent] == ["bo@example.org"]
    body = sent[0].get_content()
    assert "Ann Jones has invited you" in body and "/welcome/" in body
    assert "We have emailed an invitation" in client.get("/staff/people").get_data(as_text=True)
    assert page  # the organiser is sent back to the list


def test_bad_invitations_are_refused_with_a_clear_message(app):
    client, organiser = organiser_client(app)
    page = invite(client, name="<b>x</b>").get_data(as_text=True)
    assert "Please look again at the boxes marked below." in page and "<b>x" not in page
    page = invite(client, email=organiser.email).get_data(as_text=True)
    assert "There is already an account with this email." in page
    page = invite(client, how="email").get_data(as_text=True)  # no mail server here
    assert "This site cannot send emails yet" in page


def test_role_changes_and_removals_are_audited_and_the_last_organiser_stays(app):
    client, organiser = organiser_client(app)
    moderator = make_user(Role.MODERATOR, name="Mo")
    token = csrf_token(client, "/staff/people")
    client.post(
        f"/staff/people/{moderator.id}/role", data={"role": "councillor", "csrf_token": token}
    )
    client.post(f"/staff/people/{moderator.id}/remove", data={"csrf_token": token})
    db.session.refresh(moderator)
    assert moderator.role == Role.COUNCILLOR and not moderator.active
    assert sign_in(app.test_client(), moderator.email).status_code != 302
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["role_changed", "staff_removed"]

    # The last organiser can neither demote nor remove themselves.
    page = client.post(
        f"/staff/people/{organiser.id}/role",
        data={"role": "moderator", "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "You are the last organiser" in page
    page = client.post(
        f"/staff/people/{organiser.id}/remove", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "You are the last organiser" in page
    db.session.refresh(organiser)
    assert organiser.role == Role.ORGANISER and organiser.active


def test_only_organisers_see_the_staff_page(app):
    for role in (Role.MODERATOR, Role.MEMBER, Role.COUNCILLOR):
        client = app.test_client()
        sign_in(client, make_user(role).email)
        assert client.get("/staff/people").status_code == 403


def test_a_new_group_drafts_but_sends_ideas_only_once_a_moderator_approves_it(app):
    from coprod.models import Group, Phase, RemedyStatus
    from tests.factories import make_round
    from tests.test_propose import make_group, post_proposal, remedies_of

    rnd = make_round(Phase.PROPOSING)
    group = make_group("New Friends", approved=False)
    member = make_user(group=group)
    client = app.test_client()
    sign_in(client, member.email)
    assert post_proposal(client, rnd).status_code == 302  # a draft is fine
    page = post_proposal(client, rnd, action="send").get_data(as_text=True)
    assert "waiting for a moderator to approve it" in page
    assert all(r.status == RemedyStatus.DRAFT for r in remedies_of(group))

    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR).email)
    assert "New Friends" in moderator.get("/staff/moderate/").get_data(as_text=True)
    token = csrf_token(moderator, "/staff/moderate/")
    page = moderator.post(
        f"/staff/moderate/groups/{group.id}/approve",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "New Friends can now send ideas." in page
    db.session.expire_all()
    assert db.session.get(Group, group.id).approved
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
        "group_approved"
    )
    assert post_proposal(client, rnd, action="send").status_code == 302
    assert RemedyStatus.SUBMITTED in {r.status for r in remedies_of(group)}
