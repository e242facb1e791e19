"""A round with a pot per area: a voter walks a ballot in two pots, and each pot's results
show; no JavaScript, axe-clean."""

import re

import pytest
from playwright.sync_api import expect

from coprod.extensions import db
from coprod.models import Phase
from coprod.operations import ballots, codes, counting
from coprod.operations.phase import change_phase
from tests.e2e.a11y import assert_accessible
from tests.factories import make_pot_round

ROUND = "brookfield-areas-2026"


@pytest.fixture(scope="module")
def pot_codes(live_app):
    """{area name: [unused codes]} that the demo printed for its round with pots."""
    found: dict[str, list[str]] = {}
    for line in live_app.demo_lines:
        if m := re.fullmatch(r"  (.+): (\w{4}-\w{4}-\w{4})", line):
            found.setdefault(m.group(1), []).append(m.group(2))
    return found


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ur", "rtl")])
def test_a_voter_chooses_in_their_areas_pot_and_the_whole_wards(
    browser, base_url, pot_codes, lang, direction
):
    context = browser.new_context(locale=lang, java_script_enabled=False)
    page = context.new_page()
    code = pot_codes["Brookfield North" if lang == "en" else "Brookfield South"].pop()
    page.goto(f"{base_url}/rounds/{ROUND}/take-part?code={code}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ballot(#.*)?$"))
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("section.pot")).to_have_count(2)
    assert_accessible(page, lang)
    for n in range(2):  # one idea in each pot
        page.locator("section.pot").nth(n).locator("button[name=add]").last.click()
        page.wait_for_load_state()
    expect(page.locator("button[name=remove]")).to_have_count(2)
    page.locator("button[name=review]").click()
    page.wait_for_url(re.compile(r"/review(#.*)?$"))
    expect(page.locator("main h2")).to_have_count(2)
    assert_accessible(page, lang)
    page.locator("form[action$='/cast'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/receipt(#.*)?$"))
    page.locator("form[action$='/check'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/check$"))
    expect(page.locator("main h2")).to_have_count(2)  # the choices, pot by pot
    assert_accessible(page, lang)
    context.close()


def test_each_pots_results_and_a_receipts_story_are_accessible(browser, base_url, live_app):
    with live_app.app_context():
        rnd = make_pot_round(slug="pots-counted")
        secret = live_app.config["SECRET_KEY"]
        receipt = ""
        for pot in rnd.pots:
            [code] = codes.make_codes(secret, rnd, 1, area_id=pot.area_id)
            chosen = [str(r.id) for r in rnd.remedies if r.pot_id == pot.id][:1]
            receipt = ballots.cast(secret, rnd, code, chosen)
        change_phase(rnd, Phase.COUNTED)
        counting.count_pots(rnd)
        db.session.commit()
    context = browser.new_context(locale="ar", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/rounds/pots-counted/results")
    expect(page.locator("section.pot")).to_have_count(3)
    assert_accessible(page, "ar")
    page.fill("#receipt", receipt)
    page.locator("section[aria-labelledby=your-ballot] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".story h3")).to_have_count(1)
    assert_accessible(page, "ar")
    context.close()
