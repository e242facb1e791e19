"""Virtual Voice in a real browser, without JavaScript: three people in three languages say
something, a moderator publishes it, twenty people mark it (seeded), the results show the
expected common ground and split, a moderator makes a theme, and the council sees it."""

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from coprod.conversation import operations as ops
from coprod.conversation.models import Statement
from coprod.extensions import db
from coprod.models import ContentText, Round
from tests.e2e.conftest import sign_in

ROUND = "/rounds/brookfield-spring"
SAID = {
    "en": "Parents need one phone number that always answers.",
    "pl": "Nowe drogi są ważniejsze niż świetlice.",  # new roads matter more than youth clubs
    "ur": "ہر خاندان کو ایک ہی جگہ سے مدد ملنی چاہیے۔",  # help from one place
}


def _say(browser: Browser, base_url: str, lang: str, text: str) -> None:
    context = browser.new_context(locale=lang, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}{ROUND}/conversation")
    page.locator("textarea[name=text]").fill(text)
    page.locator("form[action$='/conversation/say'] button").click()
    expect(page.locator("#mine + ul")).to_contain_text(text)  # the author sees it at once
    context.close()


def _seed_marks(app) -> None:
    """Twenty people in the demo's two camps; everyone agrees with the English statement,
    the camps split on the Polish one."""
    with app.app_context():
        rnd = db.session.scalar(select(Round).where(Round.slug == "brookfield-spring"))
        conv = ops.of_round(rnd)
        ours = {
            lang: db.session.scalar(
                select(Statement).join(ContentText, ContentText.content_id == Statement.content_id)
                .where(ContentText.body == text)
            )
            for lang, text in SAID.items()
        }  # fmt: skip
        from coprod.conversation.demo import STATEMENTS

        demo = [s for s in conv.statements if s.author is None][: len(STATEMENTS)]
        for n in range(20):
            camp = 0 if n < 12 else 1
            who = ops.Person(f"e2e-{n}", True, rnd.area_id, "en")
            for s, (_lang, _text, _en, how) in zip(demo, STATEMENTS, strict=True):
                ops.mark(s, who, {"a": "agree", "d": "disagree", "p": "pass"}[how[camp]])
            ops.mark(ours["en"], who, "agree")
            ops.mark(ours["pl"], who, "disagree" if camp == 0 else "agree")
            ops.mark(ours["ur"], who, "agree" if camp == 0 else "pass")
        db.session.commit()


def test_people_speak_the_council_hears(browser: Browser, base_url, demo_logins, live_app):
    for lang, text in SAID.items():
        _say(browser, base_url, lang, text)

    staff = browser.new_context(java_script_enabled=False)
    page = staff.new_page()
    sign_in(page, base_url, *demo_logins["moderator"])
    page.goto(f"{base_url}/staff/moderate/")
    for text in SAID.values():
        page.locator(".card", has_text=text).get_by_role("button", name="Publish").click()
        expect(page.locator(".card", has_text=text)).to_have_count(0)
    _seed_marks(live_app)

    # The first grouping in a process loads scikit-learn (2.4 s on an idle machine): on a
    # busy one that alone can pass Playwright's 30 s default.
    page.goto(f"{base_url}{ROUND}/conversation/results", timeout=120_000)
    expect(page.locator("section[aria-labelledby=common]")).to_contain_text(SAID["en"])
    expect(page.locator("section[aria-labelledby=differ]")).to_contain_text(SAID["pl"])
    expect(page.locator("section[aria-labelledby=common]")).not_to_contain_text(SAID["pl"])

    page.goto(f"{base_url}/staff/moderate/rounds/brookfield-spring/themes")
    page.get_by_label("Name of the theme, in plain words").fill("One number to call")
    page.get_by_label(SAID["en"]).check()
    page.get_by_role("button", name="Make the theme").click()
    expect(page.locator("main")).to_contain_text("One number to call")
    # The theme becomes a problem in the round: the public can follow it back.
    theme = page.locator("main li", has_text="One number to call")
    theme.get_by_role("button", name="Turn into a problem to rate").click()
    expect(page.locator("main")).to_contain_text("Now a problem people can rate")
    staff.close()

    public = browser.new_context(java_script_enabled=False)
    page = public.new_page()
    page.goto(f"{base_url}{ROUND}")
    page.locator("#barriers + ul li", has_text="One number to call").get_by_role("link").click()
    expect(page.locator("li[id^=theme-]", has_text="One number to call")).to_be_visible()
    public.close()

    council = browser.new_context(java_script_enabled=False)
    page = council.new_page()
    sign_in(page, base_url, *demo_logins["commissioner"])
    for where in ("", "/top-5"):
        page.goto(f"{base_url}/staff/council/rounds/brookfield-spring{where}")
        expect(page.locator("section[aria-labelledby=voice]")).to_contain_text("One number to call")
    # In the top-5 report it is a priority beside the voted five, with the same due date.
    priority = page.locator("ol.report > li", has_text="One number to call")
    expect(priority).to_contain_text("Priority 6")
    expect(priority).to_contain_text("From what people said in their own words")
    council.close()
