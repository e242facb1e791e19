"""Every language, at a phone's size, a desktop's and at 200% zoom, axe-clean.

The every-page walks (test_pages.py) read every page in one left-to-right and two
right-to-left languages. This walk reads the pages a citizen meets on the way to a vote
and its result in every language the site offers, each page at one of three sizes in
turn, so that each language is seen at every size and each page at every size.
"""

from babel import Locale

from coprod import i18n
from tests.e2e.a11y import _axe, assert_no_violations

CITIZEN_PAGES = [
    "/",
    "/rounds/brookfield-2026/take-part",
    "/rounds/brookfield-2025/results",
]
SIZES = {
    "phone": {"viewport": {"width": 375, "height": 667}, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    # A 1280 x 800 window zoomed to 200%: half as many CSS pixels, each drawn twice.
    "200% zoom": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}


def test_every_language_reads_well_at_every_size(browser, base_url, live_app):
    with live_app.app_context():
        languages = i18n.languages()
    pages = {}
    for size, options in SIZES.items():
        context = browser.new_context(**options)
        context.add_init_script(_axe.axe_script)
        pages[size] = context.new_page()
    sizes = list(SIZES)
    seen = set()
    for turn, lang in enumerate(languages):
        direction = Locale.parse(lang).text_direction
        for step, path in enumerate(CITIZEN_PAGES):
            size = sizes[(turn + step) % len(sizes)]
            page = pages[size]
            response = page.goto(f"{base_url}{path}?lang={lang}")
            assert response.status == 200, (path, lang, size)
            assert page.locator("html").get_attribute("lang") == i18n.html_lang(lang)
            assert page.locator("html").get_attribute("dir") == direction
            assert_no_violations(page)
            seen.add((lang, size))
            seen.add((path, size))
    # Each language starts one size further on: every language and page met every size.
    assert all((key, size) in seen for key in [*languages, *CITIZEN_PAGES] for size in SIZES)
    for page in pages.values():
        page.context.close()
