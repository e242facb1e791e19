"""axe-core checks, WCAG 2.1 A and AA only."""

from axe_playwright_python.sync_playwright import Axe

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_axe = Axe()


def assert_accessible(page) -> None:
    """Fail with axe's own report when the page has any WCAG 2.1 AA violation."""
    results = _axe.run(page, options=WCAG)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
