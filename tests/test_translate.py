"""Translations are co-produced: a citizen suggests, an organiser accepts, the site changes."""

import re
import shutil

from babel.messages.pofile import read_po
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Phase, Role, TranslationSuggestion
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

ROUND_LABEL = "Money to share out"
WRITTEN_IN = 'Written in %(language)s — <a href="%(url)s">help translate it</a>'


def test_a_citizen_suggestion_goes_live_once_accepted_and_reaches_the_catalogue(
    app, client, runner, tmp_path
):
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
    # Each sentence is shown as people read it: no placeholders, no markup.
    labels = re.findall(r"<label[^>]*>(.*?)</label>", text)
    assert "یہ … میں لکھا گیا ہے — اس کا ترجمہ کرنے میں مدد کریں" in labels
    assert not [label for label in labels if "%(" in label or "&lt;" in label]
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
    # Live at once, with no command to run; other languages keep their own words.
    ur = client.get(f"/rounds/{rnd.slug}", headers={"Accept-Language": "ur"})
    assert "بانٹنے والی رقم" in ur.get_data(as_text=True)
    pl = client.get(f"/rounds/{rnd.slug}", headers={"Accept-Language": "pl"})
    assert "بانٹنے والی رقم" not in pl.get_data(as_text=True)

    # A wording that drops a filled-in part or adds markup is refused and never shown.
    for wording in (
        "Zapisane w … — pomóż",
        'Zapisane w %(language)s <a href="%(url)s"><b>x</b></a>',
    ):
        db.session.add(TranslationSuggestion(lang="pl", msgid=WRITTEN_IN, suggestion=wording))
        db.session.commit()
        bad = db.session.scalars(
            select(TranslationSuggestion).order_by(TranslationSuggestion.id.desc())
        ).first()
        refused = staff.post(
            f"/staff/translations/{bad.id}/accepted",
            data={"csrf_token": token},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "This wording cannot be used" in refused
        db.session.expire_all()
        assert bad.status == "new"

    result = runner.invoke(args=["translate", "suggestions"])
    assert result.exit_code == 0 and "ur: 1 strings changed" in result.output
    with open(tmp_path / "translations/ur/LC_MESSAGES/messages.po", "rb") as f:
        assert read_po(f).get(ROUND_LABEL).string == "بانٹنے والی رقم"
    db.session.expire_all()
    assert suggestion.status == "exported"
