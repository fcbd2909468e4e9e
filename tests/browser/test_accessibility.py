"""axe-core finds no WCAG 2.2 AA violation on any public page type, with the article's
disclosures closed and with them open."""

import pytest
from axe_playwright_python.sync_playwright import Axe

# live_server sees only committed data
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
PAGE_TYPES = ["home", "article", "category", "tag", "reviewer", "404", "search"]
PAGE_TYPES += ["home_es", "article_es", "category_es", "search_es"]  # the Spanish pages


def assert_accessible(page, what: str):
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_has_no_accessibility_violations(page, live_server, site, page_type):
    paths = {**site.paths(), "404": "/no-such-page/"}
    if page_type not in paths:
        pytest.skip(f"there is no {page_type} page yet")
    response = page.goto(live_server.url + paths[page_type])
    assert response.status == (404 if page_type == "404" else 200)

    assert_accessible(page, f"{page_type} page")


def test_article_with_disclosures_open_has_no_accessibility_violations(page, live_server, site):
    page.goto(live_server.url + site.article.get_absolute_url())
    page.locator("details.faq summary").first.click()
    page.locator(".ts-toggle").first.click()  # last: a click elsewhere closes it
    assert page.locator(".ts-panel:visible").count() == 1
    assert page.locator("details.faq[open]").count() == 1

    assert_accessible(page, "article page with a Trusted Source and an FAQ open")
