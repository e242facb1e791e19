"""Translations are co-produced: a citizen suggests, an organiser accepts, the site changes."""

import shutil

from babel.messages.pofile import read_po
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Phase, Role, TranslationSuggestion
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

ROUND_LABEL = "Money to share out"


def test_a_citizen_suggestion_reaches_the_catalogue(app, client, runner, tmp_path):
    shutil.copytree(app.config["TRANSLATIONS_DIR"], tmp_path / "translations")
    app.config["TRANSLATIONS_DIR"] = str(tmp_path / "translations")
    rnd = make_round(Phase.VOTING)
    page = client.get(f"/rounds/{rnd.slug}", headers={"Accept-Language": "ur"})
    html = page.get_data(as_text=True)
    link = html.split('href="/suggest-translation?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "template=public/round.html" in link
    form = client.get(f"/suggest-translation?{link}", headers={"Accept-Language": "ur"})
    text = form.get_data(as_text=True)
    assert f'value="{ROUND_LABEL}"' in text  # a string this page really shows
    token = csrf_token(client, f"/suggest-translation?{link}")
    response = client.post(
        f"/suggest-translation?{link}",
        headers={"Accept-Language": "ur"},
        data={
            "msgid": ROUND_LABEL,
            "suggestion": "بانٹنے والی رقم",
            "page": f"/rounds/{rnd.slug}",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == f"/rounds/{rnd.slug}"
    empty = client.post(
        f"/suggest-translation?{link}",
        data={"msgid": ROUND_LABEL, "suggestion": "", "csrf_token": token},
    )
    assert empty.status_code == 200  # refused with a message, nothing stored

    organiser = make_user(Role.ORGANISER)
    staff = app.test_client()
    sign_in(staff, organiser)
    review = staff.get("/staff/translations").get_data(as_text=True)
    assert "بانٹنے والی رقم" in review
    [suggestion] = db.session.scalars(select(TranslationSuggestion)).all()
    assert suggestion.lang == "ur"
    token = csrf_token(staff, "/staff/translations")
    staff.post(f"/staff/translations/{suggestion.id}/accepted", data={"csrf_token": token})

    result = runner.invoke(args=["translate", "suggestions"])
    assert result.exit_code == 0 and "ur: 1 strings changed" in result.output
    with open(tmp_path / "translations/ur/LC_MESSAGES/messages.po", "rb") as f:
        assert read_po(f).get(ROUND_LABEL).string == "بانٹنے والی رقم"
    db.session.expire_all()
    assert suggestion.status == "exported"
