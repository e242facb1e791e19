"""A workshop in a room, without JavaScript: someone signs in in Arabic with the code on the
organiser's screen, a table writes a problem on its device, then rates on the round's page."""

import re

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in


def test_signing_in_and_a_tables_device_work_without_javascript(browser, base_url, demo_logins):
    organiser = browser.new_context(locale="en", java_script_enabled=False).new_page()
    sign_in(organiser, base_url, *demo_logins["organiser"])
    organiser.goto(f"{base_url}/staff/workshop/sessions/1")
    code = organiser.locator(".big-code").inner_text().strip()
    table_code = organiser.locator("main table code").first.inner_text().strip()

    person = browser.new_context(locale="ar", java_script_enabled=False).new_page()
    person.goto(f"{base_url}/workshop/")
    expect(person.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(person, "ar")
    person.fill("input[name=code]", code.lower())
    person.fill("input[name=name]", "فاطمة")
    person.select_option("select[name=role]", "provider")
    person.fill("input[name=language]", "ar")
    person.locator("main form button[type=submit]").click()
    expect(person.locator("h1")).to_have_count(1)
    assert_accessible(person, "ar")

    person.goto(f"{base_url}/workshop/table")
    person.fill("input[name=code]", table_code)
    person.locator("main form button[type=submit]").click()
    expect(person).to_have_url(re.compile(rf"/workshop/table/{table_code}$"))
    person.fill("textarea[name=text]", "لا توجد حافلة في المساء")
    person.locator("main form button[type=submit]").first.click()
    expect(person.locator("main")).to_contain_text("لا توجد حافلة في المساء")
    assert_accessible(person, "ar")
    person.locator("form[action$='/rate'] button").click()
    expect(person).to_have_url(re.compile(r"/rounds/brookfield-spring/rate$"))

    organiser.goto(f"{base_url}/staff/workshop/sessions/1")
    expect(organiser.locator("main")).to_contain_text("فاطمة")
    for page in (organiser, person):
        page.context.close()
