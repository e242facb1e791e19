"""A neighbour offers help in Somali without JavaScript; a moderator checks the words; only
the group that wrote the idea sees how to reach them."""

import re

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in

CONTACT = "faadumo@example.org"


def test_an_offer_in_somali_reaches_only_the_group(browser, base_url, demo_logins):
    group = browser.new_context(locale="en", java_script_enabled=False).new_page()
    sign_in(group, base_url, *demo_logins["member"])
    group.goto(f"{base_url}/my-group")
    ids = [
        re.search(r"/proposals/(\d+)$", h or "")
        for h in group.locator("h3 a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    ]
    neighbour = browser.new_context(locale="so", java_script_enabled=False).new_page()
    form = None
    for found in filter(None, ids):
        url = f"{base_url}/rounds/brookfield-2026/remedies/{found.group(1)}/offer-help"
        if neighbour.goto(url).status == 200:
            form = url
            break
    assert form, "the demo member's group has an idea open to offers"
    expect(neighbour.locator("html")).to_have_attribute("lang", "so")
    assert_accessible(neighbour, "so")
    neighbour.fill("textarea[name=what]", "Waxaan turjumi karaa Soomaali")
    neighbour.fill("input[name=hours]", "3")
    neighbour.fill("input[name=contact]", CONTACT)
    neighbour.locator("main form button[type=submit]").click()
    # Without the box ticked, nothing is sent and what was typed is kept.
    expect(neighbour.locator(".error-message")).to_have_count(1)
    expect(neighbour.locator("input[name=contact]")).to_have_value(CONTACT)
    neighbour.check("input[name=consent]")
    neighbour.locator("main form button[type=submit]").click()
    expect(neighbour).to_have_url(re.compile(r"/offers/[\w-]+$"))

    moderator = browser.new_context(locale="en", java_script_enabled=False).new_page()
    sign_in(moderator, base_url, *demo_logins["moderator"])
    moderator.goto(f"{base_url}/staff/moderate/offers")
    expect(moderator.locator("main")).not_to_contain_text(CONTACT)
    mine = moderator.locator("main li", has_text="Waxaan turjumi karaa Soomaali")
    mine.locator("button", has_text="Let the group see it").click()

    group.goto(f"{base_url}/my-group/offers")
    expect(group.locator("main")).to_contain_text(CONTACT)
    remedy_page = form.removesuffix("/offer-help")
    neighbour.goto(remedy_page)
    expect(neighbour.locator("main")).not_to_contain_text(CONTACT)
    for page in (group, neighbour, moderator):
        page.context.close()
