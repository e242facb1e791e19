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
    # The map's own small script only adds zooming and panning to what is already there.
    scripts = checker.locator("script:not([src='/static/map.js'])")
    assert scripts.count() == 0, f"{url} sends a script"
    expect(checker.locator("html")).to_have_attribute("lang", lang.replace("_", "-"))
    expect(checker.locator("html")).to_have_attribute("dir", direction)
    assert_no_violations(checker)


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl"), ("ur", "rtl")])
def test_every_public_page_is_accessible(browser, base_url, lang, direction):
    context = browser.new_context(locale=lang, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/rounds/brookfield-2026")
    remedy = page.locator(".cards a").first.get_attribute("href")
    follow = page.locator('a[href*="/follow/round/"]').get_attribute("href")
    # and a remedy of the counted round: its page says what happened in the count
    page.goto(f"{base_url}/rounds/brookfield-2025/results")
    counted = page.locator("#funded + ol a").first.get_attribute("href")
    for path in [*PUBLIC, remedy, counted, f"{remedy}/offer-help", follow]:
        check(page, base_url + path, lang, direction)
    context.close()


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

    def record(response):
        hosts.add(response.url.split("/")[2])
        sizes[response.url] = len(response.body())

    page.on("response", record)
    for path in ["/", "/rounds/brookfield-2026", "/rounds/brookfield-2025/results", "/glossary"]:
        sizes.clear()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        total = sum(sizes.values())
        assert total < 100_000, f"{path} weighs {total} bytes"
    assert hosts == {base_url.split("/")[2]}
    context.close()
