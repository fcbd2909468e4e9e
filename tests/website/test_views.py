import datetime
from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.utils import timezone

from articles.models import ArticleStatus
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    SourceFactory,
    UserFactory,
    republish,
)

pytestmark = pytest.mark.django_db


class ElementCollector(HTMLParser):
    """Collects every start tag with its attributes, to check markup without string matching."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        return [
            found
            for name, found in self.elements
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]


def parse(response):
    collector = ElementCollector()
    collector.feed(response.content.decode())
    return collector


@pytest.fixture
def article():
    reviewer = ReviewerFactory(
        name="Dr Mira Okafor", slug="mira-okafor", credentials="D.Ac., M.S., L.Ac., Dipl. Ac., CYT"
    )
    category = CategoryFactory(name="Back Pain", slug="back-pain")
    article = ArticleFactory(
        title="Lower back pain",
        slug="lower-back-pain",
        category=category,
        summary="Most lower back pain gets better on its own.",
        author="Sam Writer",
        reviewer=reviewer,
        last_reviewed_on=datetime.date(2023, 1, 3),
        next_review_due=datetime.date(2026, 1, 3),
        body="## Overview\n\nMost back pain improves within weeks.[^pmc] Keep active.[^nci]",
        tags=["exercise"],
    )
    pmc = SourceFactory(
        name="PubMed Central",
        trust_label="Highly respected database from the National Institutes of Health",
    )
    nci = SourceFactory(name="National Cancer Institute", trust_label="Governmental authority")
    CitationFactory(
        article=article,
        key="pmc",
        source=pmc,
        title="Outcomes of acute back pain",
        url="https://pmc.example.org/articles/1",
        order=1,
    )
    CitationFactory(
        article=article,
        key="nci",
        source=nci,
        title="Physical activity",
        url="https://www.cancer.gov/activity",
        order=2,
    )
    FAQFactory(article=article, question="Should I rest in bed?", answer="No, **keep moving**.")
    republish(article)
    return article


class TestArticlePage:
    def test_shows_review_byline_and_dates(self, client, article):
        response = client.get("/articles/lower-back-pain/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Lower back pain</h1>" in html
        assert "Most lower back pain gets better on its own." in html
        assert "Medically reviewed by" in html
        assert parse(response).find("a", href="/reviewers/mira-okafor/")
        assert "Dr Mira Okafor, D.Ac., M.S., L.Ac., Dipl. Ac., CYT" in html
        assert "Written by Sam Writer" in html
        assert (
            'Page last reviewed:</dt> <dd><time datetime="2023-01-03">3 January 2023</time>' in html
        )
        assert 'Next review due:</dt> <dd><time datetime="2026-01-03">3 January 2026</time>' in html

    def test_trusted_source_controls_name_their_source(self, client, article):
        response = client.get("/articles/lower-back-pain/")
        doc = parse(response)
        buttons = doc.find("button", type="button", **{"aria-expanded": "false"})
        assert len(buttons) == 2
        for button in buttons:
            panel = doc.find("span", id=button["aria-controls"])
            assert len(panel) == 1 and "hidden" in panel[0]
        html = response.content.decode()
        assert 'Trusted Source<span class="visually-hidden">: PubMed Central</span>' in html
        assert "Highly respected database from the National Institutes of Health" in html
        assert doc.find("a", href="https://pmc.example.org/articles/1", rel="noopener noreferrer")

    def test_sources_list_is_numbered_in_citation_order(self, client, article):
        response = client.get("/articles/lower-back-pain/")
        html = response.content.decode()
        first, second = html.index('id="source-1"'), html.index('id="source-2"')
        assert "PubMed Central" in html[first:second]
        assert ">Outcomes of acute back pain</a>" in html[first:second]
        assert ">Physical activity</a>" in html[second:]
        assert "Governmental authority" in html[second:]

    def test_faq_disclaimer_breadcrumbs_and_hub_link(self, client, article):
        response = client.get("/articles/lower-back-pain/")
        html = response.content.decode()
        assert "Should I rest in bed?" in html
        assert "<strong>keep moving</strong>" in html
        assert "Medical disclaimer" in html
        assert "not medical advice" in html
        assert "call your local emergency number" in html
        assert 'aria-label="Breadcrumb"' in html
        assert parse(response).find("a", href="/topics/back-pain/")
        assert "View all Back Pain articles" in html
        assert parse(response).find("a", href="/tags/exercise/")

    def test_headings_in_an_faq_answer_sit_below_its_question(self, client, article):
        FAQFactory(article=article, question="When should I worry?", answer="## Red flags\n\nX.")
        republish(article)
        html = client.get("/articles/lower-back-pain/").content.decode()
        faqs = html[html.index('id="faq-heading"') :]
        assert '<h3 class="faq__question">When should I worry?</h3>' in faqs
        assert "<h4>Red flags</h4>" in faqs

    def test_sample_content_is_marked(self, client, article):
        assert "Sample content" not in client.get("/articles/lower-back-pain/").content.decode()
        article.is_sample = True
        article.save()
        # Readers see the flag once it is published (tests/website/test_what_readers_see.py).
        republish(article, change_summary="Marked as sample content")
        assert "Sample content" in client.get("/articles/lower-back-pain/").content.decode()

    def test_hero_image_with_alt_and_credit(self, client):
        from tests.factories import image_file

        ArticleFactory(
            slug="with-hero",
            hero_image=image_file(size=(1200, 675)),
            hero_alt="A drawing of a spine",
            hero_credit="Illustration: Ana Ruiz",
        )
        response = client.get("/articles/with-hero/")
        images = parse(response).find("img", alt="A drawing of a spine")
        assert images and images[0]["width"] == "1200" and images[0]["height"] == "675"
        assert "Illustration: Ana Ruiz" in response.content.decode()

    def test_editor_content_cannot_inject_markup(self, client):
        article = ArticleFactory(
            slug="hostile",
            title="<script>alert(1)</script>",
            summary='"><img src=x onerror=alert(1)>',
            body="Hi[^x] <script>alert(2)</script> [c](javascript:alert(3))",
        )
        source = SourceFactory(name="<b onmouseover=alert(4)>Evil</b>")
        CitationFactory(article=article, key="x", source=source, title="<svg onload=alert(5)>")
        FAQFactory(article=article, question="<i>q</i>", answer="<iframe src=javascript:alert(6)>")
        republish(article)
        html = client.get("/articles/hostile/").content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b onmouseover" not in html
        assert "<svg" not in html
        assert "<iframe" not in html
        assert 'href="javascript:' not in html

    def test_related_articles_in_same_category(self, client, article):
        ArticleFactory(title="Sciatica explained", category=article.category)
        ArticleFactory(title="Sleep hygiene")
        html = client.get("/articles/lower-back-pain/").content.decode()
        assert "Sciatica explained" in html
        assert "Sleep hygiene" not in html


class TestDraftVisibility:
    def test_draft_is_404_for_anonymous_visitors(self, client):
        ArticleFactory(slug="draft-article", draft=True)
        assert client.get("/articles/draft-article/").status_code == 404

    def test_future_publication_is_404(self, client):
        ArticleFactory(slug="embargoed", published_at=timezone.now() + datetime.timedelta(days=1))
        assert client.get("/articles/embargoed/").status_code == 404

    def test_logged_in_non_staff_cannot_preview(self, client):
        ArticleFactory(slug="draft-article", draft=True)
        client.force_login(UserFactory())
        assert client.get("/articles/draft-article/").status_code == 404

    def test_staff_preview_is_never_cached(self, admin_client):
        ArticleFactory(slug="draft-article", title="Work in progress", draft=True)
        response = admin_client.get("/articles/draft-article/")
        assert response.status_code == 200
        assert "Work in progress" in response.content.decode()
        assert "Preview." in response.content.decode()
        assert "no-cache" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert 'name="robots" content="noindex' in response.content.decode()

    def test_published_article_is_not_marked_as_preview(self, admin_client, article):
        response = admin_client.get("/articles/lower-back-pain/")
        assert "Preview." not in response.content.decode()
        assert "no-store" not in response.get("Cache-Control", "")

    def test_drafts_are_missing_from_every_listing(self, client, article):
        ArticleFactory(
            title="Secret draft", category=article.category, reviewer=article.reviewer
        ).__class__.objects.filter(title="Secret draft").update(status=ArticleStatus.DRAFT)
        for url in ["/", "/topics/back-pain/", "/reviewers/mira-okafor/"]:
            assert "Secret draft" not in client.get(url).content.decode(), url


class TestHomePage:
    def test_lists_latest_articles_and_topics_with_counts(self, client, article):
        ArticleFactory(title="Draft piece", draft=True)
        CategoryFactory(name="Empty topic")
        response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Lower back pain" in html
        assert "Draft piece" not in html
        assert "1 article" in html
        assert len(parse(response).find("h1")) == 1
        topics = html[html.index("Browse by topic") : html.index("Latest articles")]
        assert "Back Pain" in topics and "Empty topic" not in topics

    def test_empty_site_says_so(self, client):
        assert "No articles have been published yet." in client.get("/").content.decode()


class TestCategoryPage:
    def test_lists_the_category_articles(self, client, article):
        ArticleFactory(title="Other topic article")
        response = client.get("/topics/back-pain/")
        html = response.content.decode()
        assert "<h1>Back Pain</h1>" in html
        assert "Lower back pain" in html
        assert "Other topic article" not in html
        assert "1 medically reviewed article" in html

    @override_settings(ARTICLES_PER_PAGE=2)
    def test_is_paginated(self, client):
        category = CategoryFactory(slug="sleep")
        for day in range(3):
            ArticleFactory(
                category=category,
                title=f"Sleep article {day}",
                published_at=timezone.now() - datetime.timedelta(days=day + 1),
            )
        first = client.get("/topics/sleep/").content.decode()
        second = client.get("/topics/sleep/?page=2").content.decode()
        assert "Sleep article 0" in first and "Sleep article 2" not in first
        assert "Sleep article 2" in second and "Page 2 of 2" in second
        assert client.get("/topics/sleep/?page=9").status_code == 404

    def test_unknown_category_is_404(self, client):
        assert client.get("/topics/nope/").status_code == 404


class TestTagPage:
    def test_lists_published_articles_with_the_tag(self, client, article):
        ArticleFactory(title="Untagged")
        response = client.get("/tags/exercise/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Articles about exercise" in html
        assert "Lower back pain" in html and "Untagged" not in html

    def test_tag_used_only_by_drafts_is_404(self, client):
        ArticleFactory(draft=True, tags=["secret"])
        assert client.get("/tags/secret/").status_code == 404

    def test_unknown_tag_is_404(self, client):
        assert client.get("/tags/unknown/").status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post("/healthz").status_code == 405


def test_unknown_page_uses_the_site_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_topic_pages_list_the_most_recently_published_versions_first(client):
    category = CategoryFactory(slug="sleep-topic")
    now = timezone.now()
    older = ArticleFactory(
        category=category, title="Older advice", published_at=now - datetime.timedelta(days=30)
    )
    ArticleFactory(
        category=category, title="Newer advice", published_at=now - datetime.timedelta(days=3)
    )

    def listed():
        html = client.get("/topics/sleep-topic/").content.decode()
        return sorted(["Older advice", "Newer advice"], key=html.index)

    assert listed() == ["Newer advice", "Older advice"]
    version = republish(
        older, published_at=now - datetime.timedelta(days=1), change_summary="Updated"
    )
    older.refresh_from_db()
    assert older.live_published_at == version.published_at  # kept beside the live version
    assert listed() == ["Older advice", "Newer advice"]
