"""A citizen goes from letter to receipt: no JavaScript, keyboard only, axe-clean, 3 languages."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible

ROUND = "brookfield-2026"


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element is focused, as a keyboard user would, then stop."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


@pytest.mark.parametrize(
    "index,lang,direction", [(0, "en", "ltr"), (1, "ur", "rtl"), (2, "ar", "rtl")]
)
def test_letter_to_receipt_by_keyboard_without_javascript(
    browser, base_url, demo_codes, index, lang, direction
):
    context = browser.new_context(
        locale=lang, java_script_enabled=False, viewport={"width": 390, "height": 800}
    )
    page = context.new_page()
    code = demo_codes[index]

    # The QR code on the letter opens this address with the code filled in.
    page.goto(f"{base_url}/rounds/{ROUND}/take-part?code={code}")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    assert_accessible(page, lang)
    tab_to(page, "form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ballot(#.*)?$"))
    assert_accessible(page, lang)

    for _ in range(2):
        tab_to(page, "button[name=add]")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(page.locator("button[name=remove]")).to_have_count(2)
    assert_accessible(page, lang)

    tab_to(page, "button[name=review]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review(#.*)?$"))
    expect(page.locator("ul.plain-list li")).to_have_count(2)
    assert_accessible(page, lang)

    tab_to(page, "form[action$='/cast'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/receipt(#.*)?$"))
    assert_accessible(page, lang)
    receipt = page.locator(".receipt bdi").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", receipt)

    # The receipt goes in a form, never in the address (access logs keep addresses with IPs).
    tab_to(page, "form[action$='/check'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/check$"))
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("ul.plain-list li")).to_have_count(2)
    assert_accessible(page, lang)

    # The same code cannot vote twice.
    page.goto(f"{base_url}/rounds/{ROUND}/take-part?code={code}")
    page.locator("form button[type=submit]").click()
    expect(page.locator(".error-message")).to_be_visible()
    context.close()
