"""axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A and AA.

The flows run with JavaScript off, as on an old phone; axe itself is JavaScript, so each
check loads the same address, with the same cookies and language, in a second context
that has JavaScript on. The pages send no script but two small ones of our own that only
add to the page (the map's zoom, the Listen button), so both contexts see the same page,
but for those additions.

That second context is made once for each flow's context (and language), not once for
each check, and axe is added to it once, as a script every page it opens runs first.
"""

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe

# Full details for violations only: the passes' details are most of what axe sends back.
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
_axe = Axe()
_checker: dict = {}  # the flow's context and language -> the context that runs axe


def _checker_for(context, locale: str):
    key = (context, locale)
    if key not in _checker:
        for old in _checker.values():  # the flow before this one has finished
            old.close()
        _checker.clear()
        checker = context.browser.new_context(locale=locale)
        checker.add_init_script(_axe.axe_script)
        _checker[key] = checker
    return _checker[key]


def open_in_checker(page, url: str, locale: str = "en"):
    """Load `url` in the checking context, as the person signed in on `page`; return the
    checking page and the response. The server cannot tell the two contexts apart, so the
    status, language and direction it sends are those a browser without JavaScript gets."""
    context = _checker_for(page.context, locale)
    context.clear_cookies()
    context.add_cookies(page.context.cookies())
    checker = context.pages[0] if context.pages else context.new_page()
    return checker, checker.goto(url)


def assert_no_violations(checker) -> None:
    """Fail with axe's own report when the loaded page has any WCAG 2.2 AA violation."""
    results = AxeResults(checker.evaluate("options => axe.run(document, options)", WCAG))
    assert results.violations_count == 0, f"{checker.url}\n{results.generate_report()}"


def assert_accessible(page, locale: str = "en") -> None:
    """Fail with axe's own report when the page has any WCAG 2.2 AA violation."""
    checker, _response = open_in_checker(page, page.url, locale)
    assert_no_violations(checker)
