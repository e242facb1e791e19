"""The community map and the do-it-yourself kit in a real browser: shapes and a list, nothing
from another host, a barrier placed on the map without JavaScript, an asset a group adds
shown once a moderator checks it, and every printable sheet on one A4 page in every language."""

import re
from pathlib import Path

from playwright.sync_api import expect

from coprod.i18n import languages
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in

SHEETS = [
    "/toolkit/guide",
    "/toolkit/worksheet",
    "/toolkit/proposal-form",
    "/toolkit/rounds/brookfield-spring/rating-sheet",
    "/toolkit/rounds/brookfield-2026/ballot",
    "/toolkit/rounds/brookfield-areas-2026/asset-sheet",
]
NOTE = "Nowhere to cross the road here"


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_map_shows_places_people_add_and_the_kit_prints_one_page_each(
    browser, base_url, demo_logins, live_app
):
    # The map: shapes of every kind, the same places as a list, nothing from elsewhere.
    citizen = browser.new_context(locale="en", java_script_enabled=False).new_page()
    asked = []
    citizen.on("request", lambda request: asked.append(request.url))
    citizen.goto(f"{base_url}/rounds/brookfield-areas-2026/map")
    for shape in ("a.pin-remedy circle", "a.pin-barrier polygon", "a.pin-asset rect"):
        assert citizen.locator(f"svg.map {shape}").count() > 0, shape
    pins = citizen.locator("svg.map a.pin").count()
    expect(citizen.locator(".map-list li[id^=place-]")).to_have_count(pins)
    expect(citizen.locator(".legend li")).to_have_count(4)
    assert asked and all(url.startswith(base_url) for url in asked), asked
    assert_accessible(citizen, "en")

    # A barrier placed by a press on the map picture, with no JavaScript.
    citizen.goto(f"{base_url}/rounds/brookfield-2026/map/problem")
    citizen.get_by_label("Groups have no free place to meet").check()
    citizen.fill("textarea[name=note]", NOTE)
    picture = citizen.locator("input[type=image]")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(citizen.locator(".flash")).to_contain_text("A moderator will check it")
    assert NOTE not in citizen.content()  # not before a moderator has looked

    # An asset a group member adds from the list of places, typed in from a paper sheet.
    member = browser.new_context(locale="en", java_script_enabled=False).new_page()
    sign_in(member, base_url, *demo_logins["member"])
    member.goto(f"{base_url}/rounds/brookfield-areas-2026/map/asset")
    member.fill("input[name=name]", "Gurdwara langar hall")
    member.fill("textarea[name=about]", "Free hot meals every day")
    member.select_option("select[name=landmark]", "Brookfield Library")
    member.check("input[name=from_paper]")
    member.get_by_role("button", name="Send with the place from the list").click()
    expect(member.locator(".flash")).to_contain_text("A moderator will check it")

    moderator = browser.new_context(locale="en", java_script_enabled=False).new_page()
    sign_in(moderator, base_url, *demo_logins["moderator"])
    moderator.goto(f"{base_url}/staff/moderate/")
    for name in (NOTE, "Gurdwara langar hall"):
        moderator.get_by_role("button", name=re.compile(f"^Publish\\W+{name}$")).click()
        expect(moderator.locator(".flash")).to_contain_text("on the map now")
    citizen.goto(f"{base_url}/rounds/brookfield-2026/map")
    marked = citizen.locator(".map-list li", has_text=NOTE).get_attribute("id")
    expect(citizen.locator(f'svg.map a.pin-barrier[href="#{marked}"]')).to_have_count(1)
    citizen.goto(f"{base_url}/rounds/brookfield-areas-2026/map")
    expect(
        citizen.get_by_role("link", name="Something the community has: Gurdwara langar hall")
    ).to_have_count(1)

    # Every sheet of the kit fits one A4 page (the browser's own PDF), in every language in
    # translations/, and in large type too for a language of each direction. One page object
    # for all, the page count read from the PDF's bytes.
    with live_app.app_context():
        every_language = languages()
    folders = {p.name for p in Path(live_app.config["TRANSLATIONS_DIR"]).iterdir() if p.is_dir()}
    assert set(every_language) == folders | {"en"}
    printer = citizen
    # Every sheet in English, Arabic (right to left), Urdu (Nastaliq, the tallest script)
    # and Traditional Chinese, in large type too in English and Arabic; every other
    # language on one sheet each, in turn. (All 84 sheets took a minute of CI's ten.)
    for turn, lang in enumerate(every_language):
        tall = lang in ("en", "ar", "ur", "zh_Hant")
        for path in SHEETS if tall else [SHEETS[turn % len(SHEETS)]]:
            for large in ("", "&size=large") if lang in ("en", "ar") else ("",):
                printer.goto(f"{base_url}{path}?lang={lang}{large}")
                expect(printer.locator("html")).to_have_attribute("lang", lang.replace("_", "-"))
                pages = _pdf_pages(printer.pdf(format="A4", print_background=True))
                assert pages == 1, f"{path} in {lang}{large}: {pages} pages"
    for context in (citizen.context, member.context, moderator.context):
        context.close()
