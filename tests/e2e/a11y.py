"""axe-core checks, WCAG 2.1 A and AA only.

The flows run with JavaScript off, as on an old phone; axe itself is JavaScript, so each
check loads the same address, with the same cookies and language, in a second context
that has JavaScript on. The pages send no script, so both contexts see the same page.
"""

from axe_playwright_python.sync_playwright import Axe

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_axe = Axe()


def assert_accessible(page, locale: str = "en") -> None:
    """Fail with axe's own report when the page has any WCAG 2.1 AA violation."""
    context = page.context.browser.new_context(locale=locale)
    try:
        context.add_cookies(page.context.cookies())
        checker = context.new_page()
        checker.goto(page.url)
        results = _axe.run(checker, options=WCAG)
    finally:
        context.close()
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
