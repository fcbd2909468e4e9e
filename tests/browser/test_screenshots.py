"""The article page at phone and desktop widths, saved for the test report under
test-results/screenshots/ (the CI artefacts a person looks at)."""

import pytest
from playwright.sync_api import expect

# live_server sees only committed data
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 390, 844), ("desktop", 1366, 900)])
def test_article_page_screenshot(page, live_server, site, screenshots, name, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + site.article.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    hero = page.locator(".hero img")
    expect(hero).to_be_visible()
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0"), "hero image not loaded"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"the page scrolls sideways at {width} px"
    )
    page.screenshot(path=screenshots / f"article-{name}.png", full_page=True)
