"""The audit log reads as sentences in the reader's language, filters, and exports CSV."""

import csv
import io
from datetime import UTC, datetime

from coprod.accounts.operations import change_role, deactivate
from coprod.extensions import db
from coprod.models import AuditEvent, Phase, Role
from coprod.operations.phase import change_phase
from tests.conftest import csrf_token
from tests.factories import make_round, make_user

PASSWORD = "correct horse battery"


def signed_in(app, user):
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client


def setting(app):
    ann = make_user(Role.ORGANISER, name="Ann Jones")
    rnd = make_round(Phase.RATING, slug="brookfield")
    change_phase(rnd, Phase.VOTING, actor=ann)
    hostile = make_user(Role.MODERATOR, name="=cmd|' /C calc'!A0")
    change_role(hostile, Role.COUNCILLOR, actor=ann)
    deactivate(hostile, actor=ann)
    db.session.commit()
    for event in db.session.query(AuditEvent):
        event.at = datetime(2026, 3, 3, 14, 2, tzinfo=UTC)
    db.session.commit()
    return ann, rnd, hostile


def test_the_audit_log_reads_as_sentences_in_the_readers_language(app):
    ann, rnd, _hostile = setting(app)
    client = signed_in(app, ann)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Organiser Ann Jones moved Test round on to “Voting is open”" in page
    assert "on 3 March 2026 at 14:02" in page
    assert "changed the role of =cmd" in page and "to Councillor" in page
    page = client.get("/staff/audit?lang=pl").get_data(as_text=True)
    assert "Organizator Ann Jones" in page and "3 marca 2026" in page and "14:02" in page


def test_the_audit_log_filters_by_round_person_and_kind(app):
    ann, rnd, hostile = setting(app)
    client = signed_in(app, ann)
    page = client.get(f"/staff/audit?round={rnd.id}").get_data(as_text=True)
    assert "Voting is open" in page and "removed the account" not in page
    page = client.get("/staff/audit?kind=people").get_data(as_text=True)
    assert "Voting is open" not in page and "removed the account" in page
    page = client.get(f"/staff/audit?person={hostile.id}").get_data(as_text=True)
    assert "Nothing yet." in page
    assert client.get("/staff/audit?round=abc&kind=zzz").status_code == 200


def test_the_csv_export_keeps_the_filters_and_neutralises_formulas(app):
    ann, _rnd, _hostile = setting(app)
    client = signed_in(app, ann)
    response = client.get("/staff/audit.csv?kind=people")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["When", "Who", "What"]
    assert len(rows) == 3  # the role change and the removal, not the phase change
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in "=+-@"
    assert any("=cmd" in cell for row in rows for cell in row)
    moderator = signed_in(app, make_user(Role.MODERATOR))
    assert moderator.get("/staff/audit.csv").status_code == 403
