"""Phones, 200% zoom and the keyboard (WCAG 2.2): the ballot's budget bar never covers what
has focus, and the ballot and results stay axe-clean from a 320 px phone to a desktop."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible

ROUND = "brookfield-2026"
# CSS pixels: a small phone, a phone, a desktop, and a 1280 x 800 laptop zoomed to 200%.
PHONE_320 = {"width": 320, "height": 640}
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
ZOOM_200 = {"width": 640, "height": 400}


def covered(page: Page) -> list[str]:
    """Tab through the ballot's form and back (Shift+Tab brings each element from above,
    where the bar is); the focused elements the sticky budget bar overlaps."""
    page.focus("#main")
    found = []
    for key in ["Tab"] * 40 + ["Shift+Tab"] * 40:
        page.keyboard.press(key)
        hit = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el.closest("main form")) return el.closest("main") ? "" : "out";
              const r = el.getBoundingClientRect();
              for (const bar of document.querySelectorAll(".meter.top")) {
                const b = bar.getBoundingClientRect();
                const over = r.top < b.bottom && r.bottom > b.top;
                if (over && getComputedStyle(bar).position === "sticky")
                  return el.outerHTML.slice(0, 80);
              }
              return "";
            }"""
        )
        if hit == "out" and key == "Shift+Tab":
            break
        if hit and hit != "out":
            found.append(hit)
    return found


def test_the_budget_bar_never_covers_the_focus_and_every_size_is_axe_clean(
    browser, base_url, demo_codes
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base_url}/rounds/{ROUND}/take-part?code={demo_codes[3]}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ballot(#.*)?$"))

    # Add a card far down the ballot: the page comes back at it, below the bar, not under it.
    page.locator("button[name=add]").nth(3).click()
    page.wait_for_load_state()
    card = page.locator(".card.chosen").first
    bar = page.locator(".meter.top").first.bounding_box()
    assert card.bounding_box()["y"] >= bar["y"] + bar["height"] - 1
    expect(page.locator(".meter.top").first).to_have_attribute("role", "status")

    for size, sticky in ((PHONE, "sticky"), (ZOOM_200, "static"), (DESKTOP, "sticky")):
        page.set_viewport_size(size)
        page.goto(f"{base_url}/rounds/{ROUND}/ballot")
        # Zoomed to 200% the bar scrolls away with the page instead of filling the screen.
        position = page.locator(".meter.top").first.evaluate("e => getComputedStyle(e).position")
        assert position == sticky, size
        if size != DESKTOP:
            assert covered(page) == [], size
        assert_accessible(page)

    for size in (PHONE_320, ZOOM_200, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{base_url}/rounds/brookfield-2025/results")
        # Nothing is cut off or needs scrolling sideways on a small phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), size
        assert_accessible(page)
    context.close()
