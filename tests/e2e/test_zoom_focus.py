"""Phones, 200% zoom and the keyboard (WCAG 2.2): the ballot's budget bar never covers what
has focus, and the ballot and results stay axe-clean from a 320 px phone to a desktop."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible

ROUND = "brookfield-2026"
# CSS pixels: a small phone, a phone, a desktop; a 1280 x 800 laptop and a 1920 x 1200
# screen zoomed to 200% (on the laptop the bar stops being sticky; on the big screen it stays).
PHONE_320 = {"width": 320, "height": 640}
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
ZOOM_200 = {"width": 640, "height": 400}
ZOOM_200_TALL = {"width": 960, "height": 600}


def covered(page: Page) -> list[str]:
    """Tab through the ballot's form to its last button, then Shift+Tab back up out of it
    (each element then comes into view from above, where the bar is); return the focused
    elements the sticky budget bar overlaps."""
    page.focus("#main")
    found = []
    for key in ("Tab", "Shift+Tab"):
        for _ in range(60):
            page.keyboard.press(key)
            hit = page.evaluate(
                """() => {
                  const el = document.activeElement;
                  if (el.name === "review") return "last";
                  if (!el.closest("main form")) return "out";
                  const r = el.getBoundingClientRect();
                  for (const bar of document.querySelectorAll(".meter.top")) {
                    const b = bar.getBoundingClientRect();
                    const sticky = getComputedStyle(bar).position === "sticky";
                    if (sticky && r.top < b.bottom && r.bottom > b.top)
                      return el.outerHTML.slice(0, 80);
                  }
                  return "";
                }"""
            )
            if (key, hit) in (("Tab", "last"), ("Shift+Tab", "out")):
                break
            if hit not in ("", "out", "last"):
                found.append(hit)
        else:
            raise AssertionError(f"{key} never reached the end of the ballot's form")
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
    assert_accessible(page)

    for size, sticky in ((ZOOM_200, "static"), (ZOOM_200_TALL, "sticky"), (DESKTOP, "sticky")):
        page.set_viewport_size(size)
        page.goto(f"{base_url}/rounds/{ROUND}/ballot")
        # Zoomed on a laptop, the bar scrolls away with the page instead of filling the screen.
        position = page.locator(".meter.top").first.evaluate("e => getComputedStyle(e).position")
        assert position == sticky, size
        if size == ZOOM_200_TALL:
            assert covered(page) == [], size
        if size != ZOOM_200:  # the same page as at ZOOM_200_TALL, with the bar not sticky
            assert_accessible(page)

    for size in (PHONE_320, ZOOM_200, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{base_url}/rounds/brookfield-2025/results")
        # Nothing is cut off or needs scrolling sideways on a small phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), size
        assert_accessible(page)
    context.close()
