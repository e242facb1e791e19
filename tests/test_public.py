"""The public pages a citizen reads: home, a round, a remedy, the word list, how it works."""

import html
import re

from flask import render_template_string

from coprod.easyread.pages import BUILT, PAGES
from coprod.extensions import db
from coprod.models import GlossaryTerm, Phase, RemedyStatus, Role
from coprod.operations.content import new_content
from coprod.plain import Reading, check, load_seed
from tests.factories import make_round, make_user
from tests.test_staff import sign_in


def test_home_lists_open_rounds_and_says_what_coprod_is(client):
    open_round = make_round(Phase.VOTING, title="Brookfield votes")
    make_round(Phase.DRAFT, title="Secret draft")
    make_round(Phase.CLOSED, title="Last year")
    page = client.get("/").get_data(as_text=True)
    assert "Brookfield votes" in page
    assert "Voting is open" in page
    assert f'/rounds/{open_round.slug}"' in page
    assert "Secret draft" not in page
    assert "Results and answers" in page and "Last year" in page


def test_round_page_shows_phase_dates_barriers_and_published_remedies(client):
    rnd = make_round(Phase.RATING, costs=(2500, 4000))
    hidden = rnd.remedies[1]
    hidden.status = RemedyStatus.SUBMITTED
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    assert "Tell us what matters" in page
    assert "£10,000" in page
    assert rnd.barriers[0].t("title", "en").text in page
    assert rnd.remedies[0].t("title", "en").text in page and "£2,500" in page
    assert hidden.t("title", "en").text not in page
    assert 'aria-current="step"' in page


def test_remedy_page_uses_the_workshop_template(client):
    rnd = make_round(Phase.VOTING)
    remedy = rnd.remedies[0]
    for field, text in {
        "now": "Nobody translates",
        "proposal": "Translate it",
        "who_helps": "Families",
        "offer": "We will check",
    }.items():
        remedy.content.set(field, "en", text)
    remedy.now_cost, remedy.proposal_cost = 1600, 4000
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}").get_data(as_text=True)
    for text in (
        "What happens now",
        "Nobody translates",
        "It costs \u2068£1,600\u2069",
        "What we propose",
        "It would cost \u2068£4,000\u2069",
        "Who it helps",
        "Families",
        "What our group can offer",
    ):
        assert text in page


def test_draft_rounds_and_unpublished_remedies_are_not_found(client):
    draft = make_round(Phase.DRAFT)
    assert client.get(f"/rounds/{draft.slug}").status_code == 404
    rnd = make_round(Phase.PROPOSING)
    rnd.remedies[0].status = RemedyStatus.DRAFT
    db.session.commit()
    assert client.get(f"/rounds/{rnd.slug}/remedies/{rnd.remedies[0].id}").status_code == 404
    other = make_round(Phase.PROPOSING)
    assert client.get(f"/rounds/{rnd.slug}/remedies/{other.remedies[0].id}").status_code == 404


def test_arabic_browser_gets_a_right_to_left_page_in_arabic(client):
    make_round(Phase.VOTING)
    page = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "Skip to the main content" not in page  # translated, not English


# What a browser asks for, and the language the site answers in: the region or script a
# browser names tells Traditional from Simplified Chinese and Shahmukhi from Gurmukhi.
BROWSERS = [
    ("zh-HK", "zh_Hant"),
    ("zh-TW", "zh_Hant"),
    ("zh-MO", "zh_Hant"),
    ("zh-Hant", "zh_Hant"),
    ("zh-Hant-HK, en;q=0.5", "zh_Hant"),
    ("zh", "zh_Hans"),
    ("zh-CN", "zh_Hans"),
    ("zh-SG", "zh_Hans"),
    ("zh-Hans", "zh_Hans"),
    ("zh-TW;q=0.3, zh-CN;q=0.9", "zh_Hans"),
    ("yue-HK", "zh_Hant"),
    ("pa-PK", "pa_Arab"),
    ("pa-Arab", "pa_Arab"),
    ("pa", "pa"),
    ("pa-IN", "pa"),
    ("pa-Guru", "pa"),
    ("cy", "cy"),
    ("cy-GB, en-GB;q=0.8", "cy"),
    ("ur-PK", "ur"),
    ("bn-IN", "bn"),
    ("en-GB, pa-PK;q=0.9", "en"),
    ("fr-FR, de;q=0.9, pa-PK;q=0.5", "pa_Arab"),
    ("pa-PK;q=0, pl", "pl"),
    ("fr, x-klingon, *", "en"),
    ("", "en"),
]


def test_each_browser_language_gets_its_own_language_script_and_font(client):
    from coprod import i18n

    for header, code in BROWSERS:
        page = client.get("/how-it-works", headers={"Accept-Language": header}).text
        tag, direction = i18n.html_lang(code), i18n.direction(code)
        assert f'<html lang="{tag}" dir="{direction}">' in page, header
        # Only a page in a language that needs a web font links its stylesheet, and only its.
        fonts = re.findall(r'href="/static/fonts/(\w+)\.css"', page)
        assert fonts == ([i18n.FONTS[code]] if code in i18n.FONTS else []), header
    assert i18n.direction("pa_Arab") == "rtl" and i18n.direction("zh_Hant") == "ltr"
    # The picker tells the two Punjabis and the two Chinese apart, each in its own words.
    for tag, name in [
        ("pa", "ਪੰਜਾਬੀ (ਗੁਰਮੁਖੀ)"),
        ("pa-Arab", "پنجابی (شاہ مکھی)"),
        ("zh-Hans", "中文（简体）"),
        ("zh-Hant", "中文（繁體）"),
        ("cy", "Cymraeg"),
    ]:
        assert re.search(rf'lang="{tag}" hreflang="{tag}"\s*>{re.escape(name)}</a>', page), tag
    # Fonts are kept a year (their addresses change with them); the stylesheets are not.
    font = client.get("/static/fonts/nastaliq-400.woff2")
    assert font.status_code == 200 and font.cache_control.max_age == 365 * 24 * 3600
    assert client.get("/static/fonts/nastaliq.css").cache_control.max_age is None


def test_choosing_a_language_is_kept_and_beats_the_browser(client):
    response = client.get("/language/ur?next=/how-it-works")
    assert response.status_code == 302 and response.headers["Location"] == "/how-it-works"
    page = client.get("/how-it-works", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'lang="ur" dir="rtl"' in page
    # A link that names a language wins for that page only.
    page = client.get("/how-it-works?lang=en").get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in page


def test_language_switcher_names_each_language_in_its_own_script(client):
    page = client.get("/").get_data(as_text=True)
    assert ">العربية<" in page and ">اردو<" in page and ">English<" in page
    assert 'hreflang="ur"' in page


def test_language_switch_never_sends_people_off_site(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
    assert client.get("/language/xx").status_code == 404


def test_untranslated_content_falls_back_with_a_note(client):
    rnd = make_round(Phase.VOTING, title={"ur": "بروک فیلڈ"}, lang="ur")
    page = client.get(f"/rounds/{rnd.slug}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<h1><span lang="ur" dir="rtl">بروک فیلڈ</span></h1>' in page
    assert "Written in اردو" in page
    # A reader of Traditional Chinese gets the Simplified text, marked as such; a Punjabi
    # reader of Shahmukhi never gets Gurmukhi, which they cannot read, but Urdu.
    other = make_round(Phase.VOTING, title={"en": "Park", "zh_Hans": "公园", "pa": "ਪਾਰਕ"})
    hant = client.get(f"/rounds/{other.slug}?lang=zh_Hant").text
    assert '<h1><span lang="zh-Hans" dir="ltr">公园</span></h1>' in hant
    shahmukhi = client.get(f"/rounds/{other.slug}?lang=pa_Arab").text
    assert "ਪਾਰਕ" not in shahmukhi.split("<main")[1]
    assert '<h1><span lang="en" dir="ltr">Park</span></h1>' in shahmukhi
    other.content.set("title", "ur", "پارک")
    db.session.commit()
    shahmukhi = client.get(f"/rounds/{other.slug}?lang=pa_Arab").text
    assert '<h1><span lang="ur" dir="rtl">پارک</span></h1>' in shahmukhi


def test_typed_text_is_escaped(client):
    rnd = make_round(Phase.VOTING, title='<script>alert("x")</script>')
    page = client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_glossary_lists_terms_with_plain_words(client):
    db.session.add(
        GlossaryTerm(
            key="co-production",
            content=new_content(
                "en",
                {
                    "term": "co-production",
                    "plain": "working together as equals",
                    "explanation": "People and the council plan and do things together.",
                },
            ),
        )
    )
    db.session.commit()
    page = client.get("/glossary").get_data(as_text=True)
    assert 'id="co-production"' in page and "working together as equals" in page


def test_how_it_works_explains_voting_and_counting(client):
    page = client.get("/how-it-works").get_data(as_text=True)
    assert "receipt" in page and "equal share of the money" in page


def test_not_found_page_is_friendly_and_translated(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "We couldn't find this page" in response.get_data(as_text=True)


def test_glossary_words_on_public_pages_explain_themselves(client):
    from coprod.operations.glossary import load_seed

    assert load_seed() >= 19
    db.session.commit()
    rnd = make_round(Phase.VOTING)
    remedy = rnd.remedies[0]
    remedy.content.set("summary", "en", "<b>Real</b> co-production with the commissioner.")
    remedy.content.set("summary", "ur", "یہ کو پروڈکشن ہے۔")
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}").get_data(as_text=True)
    assert "&lt;b&gt;Real&lt;/b&gt;" in page
    link = re.search(
        r'<a class="term" href="/glossary#co-production" '
        r'aria-describedby="(tip-\d+)">co-production</a>',
        page,
    )
    assert link, page
    tip = re.search(rf'<span class="tip" role="tooltip" id="{link.group(1)}">([^<]+)</span>', page)
    assert "working together" in tip.group(1)
    assert 'href="/glossary#commissioner"' in page
    urdu = client.get(
        f"/rounds/{rnd.slug}/remedies/{remedy.id}", headers={"Accept-Language": "ur"}
    ).get_data(as_text=True)
    assert re.search(r'href="/glossary#co-production"[^>]*>کو پروڈکشن</a>', urdu)


ENGLISH_ONLY = (
    "Skip to the main content",
    "How it works",
    "Money to share out",
    "Key dates",
    "Vote now",
    "Choose your language",
    "Your privacy",
)


def test_every_language_has_its_own_words_and_direction_and_easy_read(client, app):
    from coprod import i18n

    rnd = make_round(Phase.VOTING)
    with app.test_request_context():
        langs = [code for code in i18n.languages() if code != "en"]
    assert len(langs) >= 8
    remedy = rnd.remedies[0]
    # Every kind of citizen page with an Easy Read version, each once.
    easy = [
        "/",
        "/how-it-works",
        "/glossary",
        "/help",
        "/contact",
        "/accessibility",
        "/privacy",
        "/ideas",
        f"/rounds/{rnd.slug}",
        f"/rounds/{rnd.slug}/remedies/{remedy.id}",
        f"/rounds/{rnd.slug}/results",
        f"/rounds/{rnd.slug}/take-part",
        f"/rounds/{rnd.slug}/ballot",
        f"/rounds/{rnd.slug}/review",
        f"/rounds/{rnd.slug}/receipt",
        f"/rounds/{rnd.slug}/conversation",
    ]
    adapter = app.url_map.bind("")
    assert {adapter.match(path)[0] for path in easy} == set(PAGES) | set(BUILT)
    terms = load_seed()
    english = set()  # the English lines, which no other language should show
    for lang in ["en", *langs]:
        for path in ("/", f"/rounds/{rnd.slug}", "/how-it-works"):
            page = client.get(path, headers={"Accept-Language": i18n.html_lang(lang)})
            text = page.get_data(as_text=True)
            assert f'lang="{i18n.html_lang(lang)}" dir="{i18n.direction(lang)}"' in text
            stray = [s for s in ENGLISH_ONLY if s in text] if lang != "en" else []
            assert not stray, f"{lang} {path} shows English: {stray}"
            assert f'href="/easy-read{path}"' in text, f"{lang} {path} has no Easy Read link"
        for path in easy:
            page = client.get(
                f"/easy-read{path}", headers={"Accept-Language": i18n.html_lang(lang)}
            )
            text = page.get_data(as_text=True)
            assert page.status_code == 200, (lang, path)
            assert f'lang="{i18n.html_lang(lang)}" dir="{i18n.direction(lang)}"' in text
            lines = re.findall(r'<li><svg class="picture".*?</svg><span>(.*?)</span></li>', text)
            assert lines, (lang, path)
            for line in map(html.unescape, lines):
                advice = check(line, lang, terms)
                # One short idea a line, no hard words; in English, easy to read too.
                assert advice.sentence_count <= 2 and not advice.long_sentences, (lang, line)
                assert not advice.jargon, (lang, line, advice.jargon)
                assert lang != "en" or advice.reading == Reading.EASY, line
                if lang == "en":
                    english.add(line)
                assert lang == "en" or line not in english, f"{lang} {path}: {line}"


def test_header_and_footer_follow_language_address_and_person(app, client):
    page = client.get("/how-it-works").text
    assert 'href="/language/pl?next=/how-it-works"' in page
    assert "Sign in for community groups and staff" in page

    polish = client.get("/how-it-works?lang=pl").text
    assert "Skip to the main content" not in polish and ">Polski</a>" in polish
    assert re.search(r'hreflang="pl"\s+aria-current="true">Polski', polish)
    other = client.get("/glossary").text
    assert 'href="/language/pl?next=/glossary"' in other
    assert "next=/how-it-works" not in other

    organiser = app.test_client()
    sign_in(organiser, make_user(Role.ORGANISER))
    staff_page = organiser.get("/how-it-works").text
    assert "Ideas to check" in staff_page
    assert "Sign in for community groups and staff" not in staff_page
    assert "Ideas to check" not in client.get("/how-it-works").text


def test_translated_sentences_fill_in_their_values_and_escape_typed_text(app):
    # The templates' _ and ngettext are flask-babel's own: the reader's language, %(name)s
    # filled in, the typed value escaped and the translation's own markup kept.
    page = (
        '{{ _("Proposed by %(group)s", group=typed) }}'
        '|{{ ngettext("You have chosen %(num)d idea", "You have chosen %(num)d ideas", 5) }}'
        "|{{ _('Written in %(language)s — <a href=\"%(url)s\">help translate it</a>',"
        " language='Polski', url=typed) }}"
    )
    typed = '<b>"Us"</b> & co'
    with app.test_request_context("/?lang=pl"):
        shown = render_template_string(page, typed=typed).split("|")
    escaped = "&lt;b&gt;&#34;Us&#34;&lt;/b&gt; &amp; co"
    assert shown[0] == f"Zgłoszony przez: {escaped}"
    assert shown[1] == "Wybrano 5 pomysłów"
    assert shown[2] == f'Język oryginału: Polski — <a href="{escaped}">pomóż to przetłumaczyć</a>'


def test_reader_pages_show_the_readers_language_else_the_original_never_a_third(app):
    """The public pages load each text only in the reader's language and the one it was
    written in: a remedy written in Urdu and translated into Polish reads in Polish for a
    Polish reader, in Urdu (marked as not translated) for a Bengali reader, never in the
    Polish that was loaded for someone else."""
    rnd = make_round(Phase.VOTING)
    remedy = rnd.remedies[0]
    remedy.content = new_content(
        "ur", {"title": {"ur": "پارک کی بتیاں", "pl": "Światła w parku"}, "summary": "روشنی"}
    )
    db.session.commit()
    client = app.test_client()
    for path in (f"/rounds/{rnd.slug}", f"/rounds/{rnd.slug}/remedies/{remedy.id}"):
        polish = client.get(path, headers={"Accept-Language": "pl"}).get_data(as_text=True)
        assert "Światła w parku" in polish and "پارک کی بتیاں" not in polish, path
        bengali = client.get(path, headers={"Accept-Language": "bn"}).get_data(as_text=True)
        assert "پارک کی بتیاں" in bengali and "Światła w parku" not in bengali, path
