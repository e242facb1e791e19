"""A workshop in a room: people sign in with the short code on the screen, each table writes
its problems and ideas on one device, the room rates on the round's own page, and the
organiser seats who came and sees the ratings come in. The people's facts go on time."""

from datetime import date, timedelta

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import (
    Barrier,
    Phase,
    Rating,
    Remedy,
    RemedyStatus,
    Role,
    Workshop,
    WorkshopEntry,
    WorkshopPerson,
)
from coprod.operations import privacy, workshops
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


def test_an_organiser_takes_the_tables_notes_into_the_round(app, client):
    rnd = make_round(Phase.PROPOSING)
    staff, workshop = _start(app, rnd)
    notes = [
        workshops.add_entry(workshop, 2, "barrier", "The bus stops at six", "en"),
        workshops.add_entry(workshop, 1, "barrier", "the bus  stops at SIX!", "en"),
        workshops.add_entry(workshop, 2, "remedy", "A late minibus", "en"),
        workshops.add_entry(workshop, 3, "remedy", rnd.remedies[0].t("title", "en").text, "en"),
        workshops.add_entry(workshop, 3, "barrier", "Left for another day", "en"),
    ]
    db.session.commit()
    url = f"/staff/workshop/sessions/{workshop.id}/to-round"
    arabic = staff.get(url, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and f'<option selected value="{rnd.id}">' in arabic
    form = {"round": str(rnd.id), "csrf_token": csrf_token(staff, url)}
    for n in notes[:4]:
        form |= {f"take_{n.id}": "y", f"kind_{n.id}": n.kind, f"words_{n.id}": n.text}
    form[f"words_{notes[2].id}"] = "A late minibus on Fridays"  # the organiser's wording
    # Empty words are refused with the rest kept, and nothing written.
    empty = staff.post(url, data=form | {f"words_{notes[0].id}": " "})
    assert empty.status_code == 400 and "A late minibus on Fridays" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Barrier.id))) == 1

    done = staff.post(url, data=form, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "4 notes are now in the round. 2 had the same words as ones already there" in page
    db.session.expire_all()
    assert len(rnd.barriers) == 2  # the round's own and the one from the tables
    bus = next(b for b in rnd.barriers if b.t("title", "en").text == "The bus stops at six")
    assert notes[0].barrier_id == notes[1].barrier_id == bus.id  # the same words: one problem
    minibus = db.session.get(Remedy, notes[2].remedy_id)
    assert minibus.t("title", "en").text == "A late minibus on Fridays"
    assert minibus.status == RemedyStatus.SUBMITTED  # to the moderators, as any idea
    assert notes[3].remedy_id == rnd.remedies[0].id and notes[4].barrier_id is None
    said = "From the workshop on "
    public = client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    assert said in public and ", table 2" in public
    moderate = staff.get(f"/staff/moderate/remedies/{minibus.id}").get_data(as_text=True)
    assert said in moderate and ", table 2" in moderate

    # A note ticked on a page opened before it was taken is refused by name, nothing written;
    # so is an idea for a round whose vote has started.
    again = staff.post(url, data=form)
    assert again.status_code == 400
    assert "This note is already in a round. It can go only once." in again.get_data(as_text=True)
    voting = make_round(Phase.VOTING)
    late = {
        "round": str(voting.id),
        "csrf_token": csrf_token(staff, url),
        f"take_{notes[4].id}": "y",
        f"kind_{notes[4].id}": "remedy",
        f"words_{notes[4].id}": "Left for another day",
    }
    refused = staff.post(url, data=late)
    assert refused.status_code == 400 and "its vote has started" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert notes[4].remedy_id is None and len(voting.remedies) == 3
