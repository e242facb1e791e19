"""A workshop in a room: people sign in with the short code on the screen, each table writes
its problems and ideas on one device, the room rates on the round's own page, and the
organiser seats who came and sees the ratings come in. The people's facts go on time."""

from datetime import date, timedelta

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Phase, Rating, Role, Workshop, WorkshopEntry, WorkshopPerson
from coprod.operations import privacy
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in


def _start(app, rnd) -> tuple[object, Workshop]:
    staff = app.test_client()
    sign_in(staff, make_user(Role.ORGANISER))
    url = "/staff/workshop/sessions"
    response = staff.post(
        url,
        data={"name": "Ladywood evening", "round": str(rnd.id), "tables": "3"}
        | {"csrf_token": csrf_token(staff, url)},
    )
    assert response.status_code == 302
    return staff, db.session.scalar(select(Workshop))


def _sign_in(client, code: str, name: str, role: str, **facts) -> object:
    data = {"code": code, "name": name, "role": role} | facts
    return client.post("/workshop/", data=data | {"csrf_token": csrf_token(client, "/workshop/")})


def test_people_sign_in_with_the_code_and_are_seated(app, client):
    rnd = make_round(Phase.RATING)
    staff, workshop = _start(app, rnd)
    screen = staff.get(f"/staff/workshop/sessions/{workshop.id}").get_data(as_text=True)
    assert workshop.sign_in_code in screen and workshop.table_codes[2] in screen

    # A code typed in small letters with a space still works; a wrong one keeps the facts.
    typed = workshop.sign_in_code.lower()[:3] + " " + workshop.sign_in_code.lower()[3:]
    wrong = _sign_in(client, "ZZZZZZ", "Amina", "resident", organisation="Tenants")
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'value="Tenants"' in page
    roles = ["resident", "officer", "councillor", "provider"]
    for i in range(12):
        ok = _sign_in(client, typed, f'P{i} & "Co"', roles[i % 4], language=["so", "en"][i % 2])
        assert ok.status_code == 200
    arabic = client.get("/workshop/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in arabic
    assert db.session.scalar(select(func.count(WorkshopPerson.id))) == 12

    url = f"/staff/workshop/sessions/{workshop.id}"
    listed = staff.get(url).get_data(as_text=True)
    assert "P0 &amp; &#34;Co&#34;" in listed
    seated = staff.post(url, data={"sessions": "2", "csrf_token": csrf_token(staff, url)})
    page = seated.get_data(as_text=True)
    assert seated.status_code == 200 and page.count('class="table-card"') == 6
    # Anyone signed in can reach the round's rating page, as someone without a code.
    assert client.get("/staff/workshop/sessions").status_code in (302, 401, 403)


def test_a_table_writes_on_one_device_and_each_person_rates_in_turn(app, client):
    rnd = make_round(Phase.RATING)
    staff, workshop = _start(app, rnd)
    code = workshop.table_codes[1]
    found = client.post(
        "/workshop/table",
        data={"code": code.lower(), "csrf_token": csrf_token(client, "/workshop/table")},
    )
    assert found.status_code == 302 and found.location.endswith(f"/workshop/table/{code}")
    url = f"/workshop/table/{code}"
    for kind, text in (("barrier", "The bus stops at six"), ("remedy", "A late minibus")):
        saved = client.post(
            url, data={"kind": kind, "text": text, "csrf_token": csrf_token(client, url)}
        )
        assert saved.status_code == 302
    empty = client.post(
        url, data={"kind": "remedy", "text": " ", "csrf_token": csrf_token(client, url)}
    )
    assert empty.status_code == 400
    assert [(e.table, e.kind) for e in db.session.scalars(select(WorkshopEntry))] == [
        (2, "barrier"),
        (2, "remedy"),
    ]
    assert "A late minibus" in client.get(url).get_data(as_text=True)
    assert client.get("/workshop/table/NOSUCH").status_code == 404

    # Two people rate in turn on the table's device: two raters, on the round's own page.
    barrier = rnd.barriers[0]
    for score in ("2", "5"):
        turn = client.post(f"/workshop/{code}/rate", data={"csrf_token": csrf_token(client, url)})
        assert turn.status_code == 303 and turn.location.endswith(f"/rounds/{rnd.slug}/rate")
        rate_url = f"/rounds/{rnd.slug}/rate"
        client.post(
            rate_url,
            data={f"barrier-{barrier.id}": score, "csrf_token": csrf_token(client, rate_url)},
        )
    scores = sorted(db.session.scalars(select(Rating.score).where(Rating.barrier_id == barrier.id)))
    assert scores == [2, 5]
    live = staff.get(f"/staff/workshop/sessions/{workshop.id}/ratings").get_data(as_text=True)
    assert "3.5" in live


def test_the_people_who_signed_in_are_deleted_on_time(app, client):
    rnd = make_round(Phase.RATING)
    _staff, workshop = _start(app, rnd)
    _sign_in(client, workshop.sign_in_code, "Amina", "resident")
    workshop.held_on = date.today() - timedelta(days=400)
    rnd.voting_closes = rnd.responses_due = None
    db.session.commit()
    privacy.purge_contacts(date.today())
    db.session.commit()
    assert db.session.scalar(select(func.count(WorkshopPerson.id))) == 0
    assert db.session.get(Workshop, workshop.id) is not None
