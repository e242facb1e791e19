"""An organiser sets a round up by keyboard, without JavaScript, axe-clean on every screen."""

import re

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in
from tests.e2e.test_vote import tab_to

CONTINUE = "main form button[type=submit]:not([name=add])"


def go_on(page, pattern: str) -> None:
    tab_to(page, CONTINUE)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(pattern))
    assert_accessible(page)


def type_in(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_round_with_two_areas_set_up_by_keyboard(browser, base_url, demo_logins):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base_url, *demo_logins["organiser"])
    page.goto(f"{base_url}/staff/")
    tab_to(page, "a[href*='/staff/rounds/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/rounds/new/name$"))
    assert_accessible(page)

    go_on(page, r"/new/name$")  # nothing typed: the error summary comes first
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".error-summary")).to_contain_text("Give the round a name.")
    type_in(page, "#title", "Keyboard Ward 2027")
    type_in(page, "#summary", "Money for the two wards.")
    go_on(page, r"/new/languages$")

    for code in ("ur", "bn"):
        tab_to(page, f"input[value={code}]")
        page.keyboard.press("Space")
    go_on(page, r"/new/areas$")

    type_in(page, "#area-1-name", "Keyboard North")
    type_in(page, "#area-1-budget", "3000")
    tab_to(page, "button[name=add]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#area-1-name")).to_have_value("Keyboard North")
    type_in(page, "#area-2-name", "Keyboard South")
    type_in(page, "#area-2-budget", "2000")
    type_in(page, "#area-2-lang-ur", "700")
    tab_to(page, "#whole_place")
    page.keyboard.press("Space")
    type_in(page, "#whole_place_budget", "5000")
    go_on(page, r"/new/money$")
    expect(page.locator("main .note")).to_contain_text("10,000")

    go_on(page, r"/new/ballot$")
    tab_to(page, "input[name=ballot_type]:checked")
    page.keyboard.press("ArrowDown")  # choose up to a number of ideas
    type_in(page, "#max_choices", "3")
    go_on(page, r"/new/rule$")
    go_on(page, r"/new/who$")
    go_on(page, r"/new/dates$")

    # A date box takes the month, the day and the year, in the order of the browser's locale.
    for name, day in (
        ("proposing_opens", "01102027"),
        ("rating_opens", "02012027"),
        ("voting_opens", "03012027"),
        ("voting_closes", "03012027"),  # the same day as voting opens: refused
        ("responses_due", "05012027"),
    ):
        type_in(page, f"#{name}", day)
    go_on(page, r"/new/dates$")
    expect(page.locator("#voting_closes-error-1")).to_contain_text("must come after")
    expect(page.locator("#responses_due")).to_have_value("2027-05-01")  # the rest is kept
    type_in(page, "#voting_closes", "03212027")
    go_on(page, r"/new/check$")

    expect(page.locator("main")).to_contain_text("Keyboard South: \u2068£2,000\u2069")
    tab_to(page, "a[href$='/new/name?check=1']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/new/name\?check=1$"))
    tab_to(page, "#title")
    page.keyboard.press("End")  # Tab selects what the box holds: add to it instead
    page.keyboard.type(" (parks)")
    go_on(page, r"/new/check$")
    expect(page.locator("main")).to_contain_text("Keyboard Ward 2027 (parks)")

    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/rounds/keyboard-ward-2027-parks$"))
    expect(page.locator(".flash")).to_contain_text("The round is made")
    assert_accessible(page)

    tab_to(page, "a[href$='/delete']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/delete$"))
    assert_accessible(page)
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.locator(".flash")).to_contain_text("The round is deleted")
    context.close()
