"""A reader finds an article, checks a claim's source and reads an FAQ, by keyboard where a
keyboard user would."""

import re

import pytest
from playwright.sync_api import expect

# live_server sees only committed data
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, target, *, limit=80):
    """Press Tab until the target has focus, as a keyboard user would reach it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} not reached within {limit} presses of Tab")


def test_open_an_article_from_the_home_page(page, live_server, site):
    title = site.article.live_version.title
    page.goto(live_server.url)

    page.get_by_role("link", name=title, exact=True).click()

    expect(page).to_have_url(live_server.url + site.article.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    byline = page.locator(".review-byline")
    expect(byline).to_contain_text("Medically reviewed by Dr Helena Marwick, MBBS, MRCGP")


def test_trusted_source_disclosure_by_keyboard(page, live_server, site, source_page):
    page.goto(live_server.url + site.article.get_absolute_url())
    button = page.get_by_role("button", name=re.compile(r"^Trusted Source\s*: NHS$")).first
    panel = page.locator(f"#{button.get_attribute('aria-controls')}")
    expect(panel).to_be_hidden()

    tab_to(page, button)
    page.keyboard.press("Enter")

    expect(button).to_have_attribute("aria-expanded", "true")
    expect(panel).to_be_visible()
    expect(panel.locator(".ts-name")).to_have_text("NHS")
    expect(panel.locator(".ts-label")).to_have_text("Governmental authority")

    page.keyboard.press("Escape")

    expect(button).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    expect(button).to_be_focused()

    page.keyboard.press("Space")
    expect(panel).to_be_visible()
    go = panel.get_by_role("link", name=re.compile(r"^Go to source\s*: Back pain$"))
    tab_to(page, go, limit=1)  # the panel's first link comes right after its button
    page.keyboard.press("Enter")

    expect(page).to_have_url(source_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Back pain")


def test_expand_an_faq_by_keyboard(page, live_server, site):
    page.goto(live_server.url + site.article.get_absolute_url())
    faq = page.locator("details.faq").filter(has_text="Should I rest in bed")
    answer = faq.locator(".faq__answer")
    expect(answer).to_be_hidden()

    tab_to(page, faq.locator("summary"))
    page.keyboard.press("Enter")

    expect(faq).to_have_attribute("open", "")
    expect(answer).to_be_visible()
    expect(answer).to_have_text(re.compile(r"Long periods in bed tend to slow recovery"))
