"""People and their roles: the first organiser, invitations, role changes and removal."""

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import AuditEvent
from tests.conftest import csrf_token

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
