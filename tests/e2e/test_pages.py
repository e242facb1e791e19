"""Every public page in a real browser: right language and direction, axe-clean, no JS needed."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible

PAGES = [
    "/",
    "/rounds/brookfield-2026",
    "/rounds/brookfield-2025",
    "/rounds/brookfield-spring",
    "/rounds/brookfield-2027",
    "/glossary",
    "/how-it-works",
    "/sign-in",
    "/no-such-page",
]


def remedy_url(page: Page, base_url: str) -> str:
    page.goto(f"{base_url}/rounds/brookfield-2026")
    return page.locator(".cards a").first.get_attribute("href")


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ar", "rtl"), ("ur", "rtl")])
def test_every_page_is_accessible_in_each_language(browser, base_url, lang, direction):
    context = browser.new_context(locale=lang, java_script_enabled=False)
    page = context.new_page()
    for path in [*PAGES, remedy_url(page, base_url)]:
        page.goto(base_url + path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        assert_accessible(page, lang)
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
    for path in ["/", "/rounds/brookfield-2026", "/how-it-works"]:
        page.goto(base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()
