"""The organiser's pages for panels and mixed tables: uploads, refusals by line, the public
page that names nobody, and the role checks."""

import io

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import PanelDraw, Role
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.test_jobs import queue_for_real
from tests.test_staff import sign_in, staff_routes

QUOTAS = "feature,value,min,max\ngender,woman,2,3\ngender,man,2,3\n"
VOLUNTEERS = "id,gender\n" + "".join(f"vol-{i},{'woman' if i % 2 else 'man'}\n" for i in range(20))


def organiser(app):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANISER))
    return client


def upload(client, url, files: dict, headers=None, **fields):
    data = {k: (io.BytesIO(v.encode()), f"{k}.csv") for k, v in files.items()}
    data |= fields | {"csrf_token": csrf_token(client, url)}
    return client.post(url, data=data, content_type="multipart/form-data", headers=headers)


def test_the_new_staff_routes_check_roles(app):
    walked = {(url, method): roles for url, method, roles in staff_routes(app)}
    assert walked[("/staff/panels", "POST")] == {Role.ORGANISER}
    assert walked[("/staff/panels/1", "GET")] == {Role.ORGANISER}
    assert walked[("/staff/workshop/", "POST")] == {Role.ORGANISER, Role.MODERATOR}
    assert walked[("/staff/moderate/offers/1/publish", "POST")] == {Role.MODERATOR, Role.ORGANISER}


def test_an_organiser_draws_a_panel_and_the_public_page_names_nobody(app, client):
    staff = organiser(app)
    response = upload(
        staff,
        "/staff/panels",
        {"volunteers": VOLUNTEERS, "quotas": QUOTAS},
        name="Spring panel",
        size="5",
        seed="7",
    )
    assert response.status_code == 302
    draw = db.session.scalar(select(PanelDraw))
    assert draw.seed == 7 and len(draw.chosen) == 5
    page = staff.get(f"/staff/panels/{draw.id}").get_data(as_text=True)
    assert draw.chosen[0] in page and "--seed 7" in page
    public = client.get(f"/panels/{draw.id}", headers={"Accept-Language": "ur"})
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and 'dir="rtl"' in text
    assert "vol-" not in text and draw.inputs_sha256 in text


def test_a_bad_volunteers_file_is_refused_with_its_line(app):
    staff = organiser(app)
    bad = "id,gender\n1,woman\n2\n"
    response = upload(
        staff, "/staff/panels", {"volunteers": bad, "quotas": QUOTAS}, name="P", size="3", seed="1"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "line 3" in page and 'value="P"' in page
    assert db.session.scalar(select(func.count(PanelDraw.id))) == 0


def test_a_bad_volunteers_file_is_refused_in_polish_and_the_command_line_says_it_in_english(
    app, runner, tmp_path
):
    staff = organiser(app)
    bad = "id,gender\n1,woman\n2\n"
    response = upload(
        staff,
        "/staff/panels",
        {"volunteers": bad, "quotas": QUOTAS},
        headers={"Accept-Language": "pl"},
        name="P",
        size="3",
        seed="1",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'lang="pl"' in page
    assert (
        "W tym pliku jest błąd w wierszu 3: liczba komórek w tym wierszu: 1; "
        "w pierwszym wierszu: 2" in page
    )
    (tmp_path / "v.csv").write_text(bad)
    (tmp_path / "q.csv").write_text(QUOTAS)
    said = runner.invoke(
        args=["panel", str(tmp_path / "v.csv"), "--quotas", str(tmp_path / "q.csv")]
        + ["--size", "3", "--seed", "1"]
    )
    assert said.exit_code != 0
    assert "line 3: this line has 1 cells but the header has 2" in said.output


def test_a_big_draw_is_a_job_and_the_organiser_sees_the_panel_when_it_is_drawn(app, tmp_path):
    app.config["PANEL_IN_JOB_OVER"] = 10
    huey = queue_for_real(app, tmp_path)
    staff = organiser(app)
    response = upload(
        staff,
        "/staff/panels",
        {"volunteers": VOLUNTEERS, "quotas": QUOTAS},
        name="Big",
        size="5",
        seed="3",
    )
    waiting = response.headers["Location"]
    page = staff.get(waiting).get_data(as_text=True)
    assert "The panel is being drawn" in page and f'href="{waiting}">Check again</a>' in page
    assert db.session.scalar(select(func.count(PanelDraw.id))) == 0  # not in the request

    huey.execute(huey.dequeue())  # what the worker does
    draw = db.session.scalar(select(PanelDraw))
    assert draw.name == "Big" and len(draw.chosen) == 5
    again = staff.get(waiting)
    assert again.headers["Location"].endswith(f"/staff/panels/{draw.id}")


def test_a_big_draw_that_fails_in_its_job_says_why_in_the_organisers_language(
    app, tmp_path, caplog
):
    app.config["PANEL_IN_JOB_OVER"] = 10
    huey = queue_for_real(app, tmp_path)
    staff = organiser(app)
    # Each quota can be met alone, not together: every woman is young and every man old.
    volunteers = "id,gender,age\n" + "".join(
        f"v{i},{'woman,young' if i % 2 else 'man,old'}\n" for i in range(20)
    )
    quotas = QUOTAS.replace(",2,3", ",2,2") + "age,young,3,3\nage,old,1,1\n"
    response = upload(
        staff,
        "/staff/panels",
        {"volunteers": volunteers, "quotas": quotas},
        name="No",
        size="4",
        seed="3",
    )
    waiting = response.headers["Location"]
    huey.execute(huey.dequeue())
    page = staff.get(waiting, headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Nie udało się wylosować panelu" in page
    assert "losowanie nie znalazło panelu, który spełnia każdy limit" in page
    assert db.session.scalar(select(func.count(PanelDraw.id))) == 0
    # The library's own (English, technical) reason is in the log only, not on the page.
    logged = [r.getMessage() for r in caplog.records if r.name == "coprod.seating.panel"]
    assert len(logged) == 1 and "not possible to hit all the targets" in logged[0]
    assert "targets" not in page and "minimum target" not in page


def test_the_workshop_page_prints_one_table_a_page(app):
    staff = organiser(app)
    people = "name,role,organisation\n" + "".join(
        f"<b>P{i}</b>,{['resident', 'officer', 'provider'][i % 3]},o{i % 4}\n" for i in range(18)
    )
    response = upload(staff, "/staff/workshop/", {"file": people}, tables="3", sessions="2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count('class="table-card"') == 6
    assert "&lt;b&gt;P0&lt;/b&gt;" in page and "<b>P0" not in page
    bad = upload(staff, "/staff/workshop/", {"file": "name\nA\n"}, tables="3", sessions="2")
    assert bad.status_code == 400 and "line 1" in bad.get_data(as_text=True)


def test_people_can_be_typed_in_instead_of_a_file(app):
    staff = organiser(app)
    typed = "name,role,language\nAmina,resident,so\nBo,officer,en\nCy,provider,en\nDi,resident,ur\n"
    response = upload(staff, "/staff/workshop/", {}, typed=typed, tables="2", sessions="1")
    assert response.status_code == 200 and response.get_data(as_text=True).count("table-card") == 2
    nothing = upload(staff, "/staff/workshop/", {}, typed=" ", tables="2", sessions="1")
    assert nothing.status_code == 400 and "or type them" in nothing.get_data(as_text=True)


def test_a_room_that_cannot_be_seated_says_why_in_the_organisers_language(app):
    staff = organiser(app)
    typed = "name,role,language,needs_interpreter\nAmina,resident,so,yes\nBo,officer,en,no\n"
    response = upload(
        staff,
        "/staff/workshop/",
        {},
        headers={"Accept-Language": "pl"},
        typed=typed,
        tables="2",
        sessions="1",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "nikt nie tłumaczy na so" in page
