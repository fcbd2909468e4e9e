"""The editor's desk in a real browser: the preview follows the body as the writer types, a
citation's marker goes in at the cursor, and the change page at 1280 px shows the body beside
its preview with ten citations on a line each (screenshots in test-results/screenshots/)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.citation_services import citation_services
from tests.factories import CitationFactory, SourceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = """\
Most lower back pain gets better within a few weeks.[^nhs]

## Looking after yourself

- keep moving[^nice]
- use heat for stiffness

::: emergency Call your local emergency number now if:
- you cannot control your bladder or bowels
- both legs feel numb or weak
:::
"""


@pytest.fixture
def signed_in(page, live_server):
    user = UserFactory(is_staff=True, is_superuser=True, username="desk-editor")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


@pytest.fixture
def article_with_ten_citations():
    from tests.factories import ArticleFactory

    article = ArticleFactory(draft=True, title="Lower back pain", body=BODY)
    nhs = SourceFactory(name="NHS", trust_label="Governmental authority")
    journal = SourceFactory(name="The Lancet", trust_label="Peer-reviewed journal")
    keys = ["nhs", "nice", "lancet-2018", "who", "cochrane", "bmj-2017", "niams", "aafp",
            "acp-2017", "hartvigsen"]  # fmt: skip
    for order, key in enumerate(keys):
        CitationFactory(
            article=article,
            key=key,
            order=order,
            source=nhs if order % 2 == 0 else journal,
            title=f"Low back pain: evidence summary {order + 1}",
            year=2018 + order % 6,
            authors="Hartvigsen J, Hancock MJ, Kongsted A",
        )
    return article


def test_the_preview_follows_the_body_and_a_marker_goes_in_at_the_cursor(
    signed_in, live_server, article_with_ten_citations, screenshots
):
    page = signed_in
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/articles/article/{article_with_ten_citations.pk}/change/")

    preview = page.locator("#desk-preview-output")
    expect(preview.locator("h2")).to_have_text("Looking after yourself")
    expect(preview.locator("section.callout-emergency h3")).to_contain_text(
        "Immediate action required"
    )
    expect(preview.locator(".ts-toggle")).to_have_count(2)
    page.screenshot(path=screenshots / "editor-desk-1280.png")

    body = page.locator("#id_body")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n## When to see a doctor\n\nSee a GP if it lasts.[^typo]\n")
    expect(preview.locator("h2").last).to_have_text("When to see a doctor")
    expect(page.locator("#desk-preview-problems")).to_contain_text("Unknown citation key: [^typo]")

    # Replace the unknown marker with a real one: select it, then insert a citation's marker.
    text = body.input_value()
    start = text.index("[^typo]")
    body.evaluate(f"(el) => el.setSelectionRange({start}, {start + len('[^typo]')})")
    page.select_option("#desk-cite-key", "cochrane")
    page.click("#desk-insert-marker")
    assert "See a GP if it lasts.[^cochrane]" in body.input_value()
    expect(page.locator("#desk-preview-problems")).to_be_empty()
    expect(preview.locator(".ts-toggle")).to_have_count(3)

    # A citation's own button inserts its marker at the cursor too.
    body.evaluate("(el) => el.setSelectionRange(0, 0)")
    row = page.locator("#citations-group .inline-related").filter(has_text="[^who]").first
    row.get_by_role("button", name="Insert marker").click()
    assert body.input_value().startswith("[^who]Most lower back pain")

    # Ten citations take a line each until one is opened.
    toggles = page.locator("#citations-group .desk__toggle")
    expect(toggles).to_have_count(10)
    expect(page.locator("#citations-group .inline-related fieldset:visible")).to_have_count(0)
    toggles.nth(2).click()
    expect(toggles.nth(2)).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#citations-group .inline-related fieldset:visible")).to_have_count(1)
    toggles.nth(2).click()
    citations = page.locator("#citations-group")
    assert citations.bounding_box()["height"] < 900  # fits on one screen
    citations.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "editor-desk-citations-1280.png", full_page=True)


@pytest.fixture
def services(settings, monkeypatch):
    """A local server answering as Crossref and NCBI do."""
    with citation_services(settings, monkeypatch) as server:
        yield server


def test_a_doi_look_up_fills_the_citation_and_a_failed_one_changes_nothing(
    signed_in, live_server, article_with_ten_citations, services, screenshots
):
    SourceFactory(name="BMJ", trust_label="Peer-reviewed journal")
    page = signed_in
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/articles/article/{article_with_ten_citations.pk}/change/")
    row = page.locator("#citations-group .inline-related").filter(has_text="[^who]").first
    row.locator(".desk__toggle").click()
    title = row.locator("input[name$='-title']")
    before = title.input_value()

    row.locator("input[name$='-doi']").fill("10.1000/none")
    row.get_by_role("button", name="Look up DOI or PMID").click()
    expect(row.locator(".desk__lookup-status")).to_have_text(
        "Crossref has no record of the DOI 10.1000/none. Check it for typos."
    )
    assert title.input_value() == before

    row.locator("input[name$='-doi']").fill("10.1136/bmj.n71")
    row.get_by_role("button", name="Look up DOI or PMID").click()
    expect(row.locator(".desk__lookup-status")).to_contain_text("Filled in from Crossref")
    expect(title).to_have_value(
        "The PRISMA 2020 statement: an updated guideline for reporting systematic reviews"
    )
    expect(row.locator("input[name$='-authors']")).to_have_value(
        "Page MJ, McKenzie JE, PRISMA Group"
    )
    expect(row.locator("input[name$='-year']")).to_have_value("2021")
    expect(row.locator("select[name$='-source'] option:checked")).to_have_text("BMJ")
    expect(row.locator(".desk__summary")).to_contain_text("BMJ · The PRISMA 2020 statement")
    row.screenshot(path=screenshots / "editor-desk-look-up-1280.png")


def test_the_desk_has_no_accessibility_violations(
    signed_in, live_server, article_with_ten_citations
):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS

    page = signed_in
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/articles/article/{article_with_ten_citations.pk}/change/")
    expect(page.locator("#desk-preview-output h2")).to_have_text("Looking after yourself")
    page.locator("#citations-group .desk__toggle").first.click()

    # The desk's own parts; the rest of the page is Django's admin.
    for part in (".desk", "#citations-group", "#faqs-group"):
        results = Axe().run(page, context=part, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{part}: {results.generate_report()}"
