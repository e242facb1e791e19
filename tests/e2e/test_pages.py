"""Every page in a real browser: right language and direction, axe-clean, no JS needed."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_no_violations, open_in_checker
from tests.e2e.conftest import sign_in

PUBLIC = [
    "/",
    "/rounds/brookfield-2026",
    "/rounds/brookfield-2025",
    "/rounds/brookfield-spring",
    "/rounds/brookfield-2027",
    "/rounds/brookfield-2025/results",
    "/rounds/brookfield-2025/you-said-we-did",
    "/rounds/brookfield-spring/rate",
    "/rounds/brookfield-spring/conversation",
    "/rounds/brookfield-spring/conversation/results",
    "/conversations/young-carers",
    "/conversations/young-carers/results",
    "/rounds/brookfield-2026/vote",
    "/rounds/brookfield-2026/take-part",
    "/rounds/brookfield-2026/check",
    "/rounds/brookfield-areas-2026",
    "/glossary",
    "/how-it-works",
    "/privacy",
    "/help",
    "/contact",
    "/accessibility",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
    "/suggest-translation?page=/&template=public/home.html",
    "/panels/1",
    "/workshop/",
    "/workshop/table",
    "/rounds/brookfield-2026/offer-help",
    "/rounds/brookfield-areas-2026/map",
    "/rounds/brookfield-2026/map/problem",
    "/rounds/brookfield-areas-2026/map/asset",
    "/toolkit/",
    "/toolkit/worksheet",
    "/toolkit/rounds/brookfield-2026/ballot",
    "/toolkit/rounds/brookfield-areas-2026/asset-sheet",
    "/no-such-page",
    "/rounds/brookfield-2025/results/check",
    # Easy Read: one page of each kind (they share one template).
    "/easy-read/",
    "/easy-read/rounds/brookfield-2026",
    "/easy-read/rounds/brookfield-2025/results",
    "/easy-read/privacy",
]
STAFF = {
    "organiser": [
        "/staff/",
        "/staff/rounds/brookfield-2026",
        "/staff/rounds/brookfield-2026/paper",
        "/staff/rounds/brookfield-areas-2026",
        "/staff/rounds/brookfield-areas-2026/paper",
        "/staff/rounds/brookfield-2025",
        # The confirmation before each step a round can take from the demo's phases.
        "/staff/rounds/brookfield-2027/phase",
        "/staff/rounds/brookfield-spring/phase",
        "/staff/rounds/brookfield-2026/phase",
        "/staff/rounds/brookfield-2025/phase",
        "/staff/import",
        "/staff/audit",
        "/staff/settings",
        "/staff/audit?kind=phases",
        "/staff/people",
        "/staff/rounds/new/name",
        "/staff/rounds/new/languages",
        "/staff/rounds/new/areas",
        "/staff/rounds/new/money",
        "/staff/rounds/new/ballot",
        "/staff/rounds/new/rule",
        "/staff/rounds/new/who",
        "/staff/rounds/new/dates",
        "/staff/rounds/brookfield-2027/setup/check",
        "/staff/rounds/brookfield-2027/delete",
        "/staff/rounds/brookfield-spring/conversation",
        "/staff/rounds/brookfield-2027/conversation",
        "/staff/conversations",
        "/staff/conversations/young-carers",
        "/staff/translations",
        "/staff/members",
        "/account/two-step",
        "/staff/panels",
        "/staff/panels/1",
        "/staff/workshop/",
        "/staff/workshop/sessions",
        "/staff/workshop/sessions/1",
        "/staff/workshop/sessions/1/ratings",
        "/staff/workshop/sessions/1/to-round",
        "/staff/council/rounds/brookfield-2025/invite-first",
        "/staff/map",
    ],
    "moderator": [
        "/staff/moderate/",
        "/staff/moderate/offers",
        "/staff/",
        "/staff/rounds/brookfield-2026/paper",
        "/staff/moderate/rounds/brookfield-spring/themes",
        "/staff/moderate/translate/theme/1",
        "/staff/moderate/conversations/young-carers/themes",
    ],
    "commissioner": [
        "/staff/council",
        "/staff/council/rounds/brookfield-2025",
        "/staff/council/rounds/brookfield-areas-2026",
        "/staff/council/rounds/brookfield-2025/top-5",
        "/staff/council/rounds/brookfield-spring",
    ],
    "member": ["/my-group", "/my-group/offers", "/rounds/brookfield-2027/propose"],
}


def check(page: Page, url: str, lang: str, direction: str) -> None:
    """One visit per page, in axe's context with the cookies of `page` (JavaScript off,
    where the person signed in): the pages send no script, so what axe sees is what a
    browser without JavaScript shows."""
    checker, response = open_in_checker(page, url, lang)
    assert response.status < 500, url
    # Only our own two small scripts, which add to what is already there: the map's
    # zooming and panning, and the Listen button (hidden until the script finds a voice).
    # Nothing inline, nothing else.
    scripts = checker.locator("script:not([src='/static/map.js']):not([src='/static/listen.js'])")
    assert scripts.count() == 0, f"{url} sends a script"
    expect(checker.locator("html")).to_have_attribute("lang", lang.replace("_", "-"))
    expect(checker.locator("html")).to_have_attribute("dir", direction)
    assert_no_violations(checker)


# English, and Arabic for right to left. Urdu, and every other language, is read on the
# pages a voter meets at three sizes in test_every_language.py, and in Nastaliq in
# test_pages_are_light_and_load_nothing_from_other_hosts below.
@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl")])
def test_every_public_page_is_accessible(browser, base_url, lang, direction):
    context = browser.new_context(locale=lang, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/rounds/brookfield-2026")
    remedy = page.locator(".cards a").first.get_attribute("href")
    follow = page.locator('a[href*="/follow/round/"]').get_attribute("href")
    # and a remedy of the counted round: its page says what happened in the count
    page.goto(f"{base_url}/rounds/brookfield-2025/results")
    counted = page.locator("#funded + ol a").first.get_attribute("href")
    for path in [*PUBLIC, remedy, counted, f"{remedy}/offer-help", follow, f"/easy-read{remedy}"]:
        check(page, base_url + path, lang, direction)
    # Without JavaScript there is no Listen button; with it, and a voice for the page's
    # language, there is one, and nothing is said until it is pressed.
    page.goto(base_url + remedy)
    expect(page.locator(".listen")).to_be_hidden()
    context.close()
    speaking = browser.new_context(locale=lang)
    speaking.add_init_script(FAKE_VOICE.replace("LANG", lang.replace("_", "-")))
    listener = speaking.new_page()
    listener.goto(base_url + remedy)
    listen = listener.locator(".listen button")
    expect(listen).to_be_visible()
    assert listener.evaluate("window.said") == []
    listen.click()
    said = listener.evaluate("window.said")
    assert len(said) == 1 and said[0]["lang"] == lang.replace("_", "-").lower()
    title = listener.locator("h1").inner_text()
    assert title in said[0]["text"] and "Listen" not in said[0]["text"]
    speaking.close()


# The browser's speech, with one voice in the page's language, recording what it is asked to say.
FAKE_VOICE = """
window.said = [];
const voice = {lang: "LANG", name: "test"};
Object.defineProperty(window, "speechSynthesis", {value: {
  speaking: false,
  getVoices: () => [voice],
  addEventListener: () => {},
  cancel: () => {},
  speak: (u) => window.said.push({lang: u.lang, text: u.text}),
}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl")])
@pytest.mark.parametrize("role", sorted(STAFF))
def test_every_staff_and_group_page_is_accessible(
    browser, base_url, demo_logins, role, lang, direction
):
    context = browser.new_context(locale=lang, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base_url, *demo_logins[role])
    for path in STAFF[role]:
        check(page, base_url + path, lang, direction)
    context.close()


def test_choosing_arabic_by_keyboard_turns_the_site_right_to_left(page: Page, base_url):
    page.goto(base_url + "/how-it-works")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip")).to_be_focused()
    page.locator('.languages a[hreflang="ar"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.url.endswith("/how-it-works")
    page.goto(base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")


def test_pages_fit_a_small_phone_at_200_percent_zoom(browser, base_url):
    # 320 CSS px wide is a 640 px phone at 200%: nothing may need sideways scrolling.
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in [
        "/",
        "/rounds/brookfield-2026",
        "/how-it-works",
        "/rounds/brookfield-2025/results",
        "/rounds/brookfield-2025/you-said-we-did",
    ]:
        page.goto(base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()


def test_pages_are_light_and_load_nothing_from_other_hosts(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}
    hosts = set()
    fonts: dict[str, str] = {}  # each font fetched -> its Cache-Control

    def record(response):
        hosts.add(response.url.split("/")[2])
        if response.url.split("?")[0].endswith(".woff2"):
            fonts[response.url] = response.headers.get("cache-control", "")
        else:  # a font is fetched once a year, not with every page: it is counted apart
            sizes[response.url] = len(response.body())

    page.on("response", record)
    for path in ["/", "/rounds/brookfield-2026", "/rounds/brookfield-2025/results", "/glossary"]:
        sizes.clear()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        total = sum(sizes.values())
        assert total < 100_000, f"{path} weighs {total} bytes"
    assert not fonts, f"an English page loads fonts: {list(fonts)}"

    # In Urdu, the page is drawn in Nastaliq, from our own font, which phones keep a year.
    sizes.clear()
    page.goto(base_url + "/rounds/brookfield-2026?lang=ur")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.fonts.ready.then(() => true)")
    used = page.evaluate(
        """[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"""
    )
    assert [family.strip('"') for family in used] == ["Noto Nastaliq Urdu"]
    heading = page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
    assert heading.startswith('"Noto Nastaliq Urdu"')
    assert [url.split("/")[-1].split("?")[0] for url in fonts] == ["nastaliq-400.woff2"]
    assert all("max-age=31536000" in cache for cache in fonts.values()), fonts
    assert sum(sizes.values()) < 100_000
    context.close()
