"""The council's settings, its help, contact, accessibility and privacy pages, and replacing
a lost voter code."""

import io
import re

import pytest
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import AuditEvent, CouncilSettings, Phase, Role
from coprod.operations import ballots, codes, council
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

SECRET = "test-secret"
HOSTILE = '<script>alert("x")</script>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
LANGS = ["en", "ar", "bn", "cy", "pa", "pa_Arab", "pl", "ro", "so", "ur", "zh_Hans", "zh_Hant"]
RTL = {"ar", "pa_Arab", "ur"}
FORM = {
    "name": "Brookfield Council",
    "email": "help@brookfield.example.org",
    "phone": "0121 496 0000",
    "address": "1 Market Street\nBrookfield B1 1AA",
    "controller": "Brookfield Council Data Team",
    "accessibility_tested": "2026-03-27",
}


def _settings(**values) -> None:
    council.update(values)
    db.session.commit()


def test_organiser_saves_the_settings_and_the_name_shows_in_every_header(client):
    sign_in(client, make_user(Role.ORGANISER))
    assert 'href="/staff/settings"' in client.get("/staff/").get_data(as_text=True)
    token = csrf_token(client, "/staff/settings")
    response = client.post("/staff/settings", data=FORM | {"csrf_token": token})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'class="brand"' in page and "Brookfield Council</a>" in page
    saved = db.session.get(CouncilSettings, 1)
    assert saved.email == FORM["email"] and saved.address == FORM["address"]
    event = db.session.scalars(select(AuditEvent)).all()[-1]
    assert event.action == "council_settings_changed" and "email" in event.detail["fields"]


def test_a_bad_email_is_refused_clearly_and_the_rest_is_kept(client):
    sign_in(client, make_user(Role.ORGANISER))
    token = csrf_token(client, "/staff/settings")
    response = client.post(
        "/staff/settings", data=FORM | {"email": "not an email", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in page and "There is a problem" in page
    assert "Enter an email address in the right form" in page
    assert 'value="Brookfield Council"' in page and 'value="0121 496 0000"' in page
    assert db.session.get(CouncilSettings, 1) is None


def test_a_logo_must_be_a_small_png_or_jpeg_and_is_served_with_caching(client):
    sign_in(client, make_user(Role.ORGANISER))
    token = csrf_token(client, "/staff/settings")
    svg = (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'), "l.svg")
    page = client.post(
        "/staff/settings",
        data=FORM | {"csrf_token": token, "logo": svg},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "The logo must be a PNG or JPEG" in page and 'value="Brookfield Council"' in page
    client.post(
        "/staff/settings",
        data=FORM | {"csrf_token": token, "logo": (io.BytesIO(PNG), "logo.png")},
        content_type="multipart/form-data",
    )
    home = client.get("/").get_data(as_text=True)
    src = re.search(r'<img class="logo" src="([^"]+)"', home).group(1)
    logo = client.get(src)
    assert logo.data == PNG and logo.mimetype == "image/png"
    assert "max-age" in logo.headers["Cache-Control"] and logo.headers["ETag"]
    again = client.get(src, headers={"If-None-Match": logo.headers["ETag"]})
    assert again.status_code == 304


def test_only_organisers_reach_the_settings(client):
    sign_in(client, make_user(Role.MODERATOR))
    assert client.get("/staff/settings").status_code == 403


def test_the_command_line_reads_and_writes_the_settings(app, runner):
    result = runner.invoke(
        args=["settings", "--set", "name=Brookfield Council", "--set", "email=a@b.example.org"]
    )
    assert result.exit_code == 0, result.output
    assert "name: Brookfield Council" in result.output
    db.session.expire_all()
    assert council.current().email == "a@b.example.org"
    shown = runner.invoke(args=["settings"])
    assert "email: a@b.example.org" in shown.output
    bad = runner.invoke(args=["settings", "--set", "email=nope"])
    assert bad.exit_code != 0 and "email" in bad.output
    wrong = runner.invoke(args=["settings", "--set", "colour=red"])
    assert wrong.exit_code != 0


def test_letters_carry_the_council_name(client):
    _settings(name="Brookfield Council", logo=None)
    council.update({}, logo=PNG)
    db.session.commit()
    sign_in(client, make_user(Role.ORGANISER))
    rnd = make_round(Phase.VOTING)
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}")
    html = client.post(
        f"/staff/rounds/{rnd.slug}/codes", data={"count": "1", "lang": "pl", "csrf_token": token}
    ).get_data(as_text=True)
    assert "Brookfield Council" in html and 'src="data:image/png;base64,' in html


@pytest.mark.parametrize("lang", LANGS)
def test_help_contact_accessibility_and_privacy_in_every_language(client, lang):
    _settings(
        name=HOSTILE,
        email="council@example.org",
        phone=HOSTILE,
        address=HOSTILE,
        controller=HOSTILE,
    )
    make_round(Phase.VOTING, keep_contacts_days=45)
    for url in ("/help", "/contact", "/accessibility", "/privacy"):
        page = client.get(url, headers={"Accept-Language": lang}).get_data(as_text=True)
        tag = lang.replace("_", "-")
        direction = "rtl" if lang in RTL else "ltr"
        assert f'<html lang="{tag}" dir="{direction}">' in page, url
        assert HOSTILE not in page and "&lt;script&gt;" in page, url
        for link in ('href="/help"', 'href="/contact"', 'href="/accessibility"'):
            assert link in page, (url, link)
        assert 'href="/privacy"' in page
        assert "council@example.org" in page, url
        if lang != "en":
            assert "Accessibility statement" not in page and "Your rights" not in page, url
    privacy = client.get("/privacy", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert "0303 123 1113" in privacy and "ico.org.uk" in privacy
    assert {"bn": "৪৫", "pa_Arab": "۴۵"}.get(lang, "45") in privacy  # in the reader's own digits
    assert "Information Commissioner" in privacy  # the office's own name, in every language
    access = client.get("/accessibility", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert "EHRC" in access and "ECNI" in access and "2.2" in access


def test_lost_code_help_says_whom_to_call(client):
    _settings(phone="0121 496 0000", email="votes@brookfield.example.org")
    page = client.get("/help").get_data(as_text=True)
    assert "I lost my letter or my code" in page
    assert "0121 496 0000" in page and "council tax letter" in page


def _replace(client, rnd, code):
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}")
    return client.post(
        f"/staff/rounds/{rnd.slug}/replace-code", data={"old_code": code, "csrf_token": token}
    )


def test_a_lost_unused_code_is_replaced_and_stops_working(client):
    rnd = make_round(Phase.VOTING)
    [old] = codes.make_codes(SECRET, rnd, 1, letter_lang="so")
    db.session.commit()
    sign_in(client, make_user(Role.ORGANISER))
    page = client.get(f"/staff/rounds/{rnd.slug}").get_data(as_text=True)
    assert "Replace a lost voter code" in page
    response = _replace(client, rnd, old.lower())
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    [new] = re.findall(r'class="code">([A-Z0-9-]{14})<', html)
    assert 'lang="so"' in html and new != old
    assert codes.find(SECRET, rnd, old) is None
    ballots.cast(SECRET, rnd, new, [str(rnd.remedies[0].id)])
    db.session.commit()
    assert codes.find(SECRET, rnd, new).used
    assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "code_replaced"
    again = _replace(client, rnd, old)
    assert again.status_code == 302
    assert "no such code" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_used_code_cannot_be_replaced(client):
    rnd = make_round(Phase.VOTING)
    [used] = codes.make_codes(SECRET, rnd, 1)
    ballots.cast(SECRET, rnd, used, [str(rnd.remedies[0].id)])
    db.session.commit()
    sign_in(client, make_user(Role.ORGANISER))
    response = _replace(client, rnd, used)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already been used to vote, so it cannot be replaced" in page
    assert codes.find(SECRET, rnd, used).used
