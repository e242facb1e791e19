"""A group proposes in Urdu, a moderator asks for a change, a volunteer translates, all see it."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in

ROUND = "brookfield-2027"
TITLE = "محلے کی کتابوں کی الماری"
JARGON = "یہ اسٹیک ہولڈر کے ساتھ مل کر چلے گی۔"
PLAIN = "یہ محلے والوں کے ساتھ مل کر چلے گی۔"


def person(browser: Browser, lang: str = "en") -> Page:
    return browser.new_context(locale=lang, java_script_enabled=False).new_page()


def fill_proposal(page: Page, summary: str) -> None:
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=summary]", summary)
    page.select_option("select[name=barrier]", index=1)
    page.fill("textarea[name=now]", "ابھی کتابیں دور لائبریری میں ہیں۔")
    page.fill("textarea[name=proposal]", "ہم کمیونٹی سنٹر میں ایک الماری رکھیں گے۔")
    page.fill("textarea[name=who_helps]", "بچے اور بزرگ۔")
    page.fill("textarea[name=offer]", "ہم ہر ہفتے کتابیں سنبھالیں گے۔")
    page.fill("input[name=cost]", "800")
    page.select_option("select[name=lang]", "ur")


def test_a_proposal_from_urdu_draft_to_two_languages(browser, base_url, demo_logins):
    member = person(browser)
    member.goto(f"{base_url}/sign-up")
    member.fill("input[name=name]", "Nasreen Akhtar")
    member.fill("input[name=new_group]", "Handsworth Book Circle")
    member.fill("input[name=email]", "nasreen@example.org")
    member.fill("input[name=password]", "a long enough password")
    member.select_option("select[name=lang]", "ur")
    member.locator("main form button[type=submit]").click()
    member.wait_for_load_state()

    # A new group sends ideas once a moderator has approved it.
    moderator = person(browser)
    sign_in(moderator, base_url, *demo_logins["moderator"])
    moderator.goto(f"{base_url}/staff/moderate/")
    moderator.locator("button:has-text('Approve: Handsworth Book Circle')").click()
    moderator.wait_for_load_state()

    member.goto(f"{base_url}/rounds/{ROUND}/propose")
    fill_proposal(member, JARGON)
    member.locator("button[name=action][value=check]").click()
    tips = member.locator("#summary-tips")
    expect(tips).to_contain_text("اسٹیک ہولڈر")  # the jargon word, with a plainer one offered
    assert_accessible(member, "en")
    member.fill("textarea[name=summary]", PLAIN)  # the typed text was kept; fix the word
    expect(member.locator("input[name=title]")).to_have_value(TITLE)
    member.locator("button[name=action][value=send]").click()
    member.wait_for_load_state()

    moderator.goto(f"{base_url}/staff/moderate/")
    moderator.locator(f"a:has-text('{TITLE}')").first.click()
    remedy_url = moderator.url
    moderator.fill("textarea[name=message]", "Please say how many books.")
    moderator.locator("button:has-text('Ask for changes')").click()
    moderator.wait_for_load_state()

    member.goto(f"{base_url}/my-group")
    expect(member.locator("main")).to_contain_text("Please say how many books.")
    member.locator("a:has-text('Change it')").first.click()
    member.fill("textarea[name=proposal]", "ہم کمیونٹی سنٹر میں سو کتابوں کی ایک الماری رکھیں گے۔")
    member.locator("button[name=action][value=send]").click()
    member.wait_for_load_state()

    moderator.goto(remedy_url)
    moderator.locator("button:has-text('Publish it')").click()
    moderator.wait_for_load_state()

    member.goto(f"{base_url}/rounds/{ROUND}")
    public = member.locator(f"a:has-text('{TITLE}')").first.get_attribute("href")
    remedy_id = re.search(r"/remedies/(\d+)", public).group(1)

    volunteer = person(browser)
    sign_in(volunteer, base_url, *demo_logins["member"])
    volunteer.goto(f"{base_url}/rounds/{ROUND}/remedies/{remedy_id}/translate?to=en")
    volunteer.fill("input[name=title]", "A bookshelf for the street")
    volunteer.fill("textarea[name=summary]", "Every stakeholder helps to run it.")
    volunteer.locator("button:has-text('Save my translation')").click()
    volunteer.wait_for_load_state()

    english = person(browser, "en")
    english.goto(base_url + public)
    expect(english.locator("h1")).to_have_text("A bookshelf for the street")
    expect(english.locator("a.term")).to_have_count(1)  # "stakeholder" explained in place
    expect(english.locator(".note.unchecked")).to_be_visible()
    assert_accessible(english, "en")
    urdu = person(browser, "ur")
    urdu.goto(base_url + public)
    expect(urdu.locator("h1")).to_have_text(TITLE)
    expect(urdu.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(urdu, "ur")
    for page in (member, moderator, volunteer, english, urdu):
        page.context.close()
