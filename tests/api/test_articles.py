"""The articles endpoints: only live versions, every field as the page shows it, each
filter, pagination that holds across a change, and conditional requests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.hero_images import refresh_hero_renditions
from articles.models import Article, ArticleStatus
from editorial.services import unpublish
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    FAQFactory,
    cited_article,
    republish,
    role_user,
)
from tests.html_tree import parse_html
from tests.public_pages import build_public_site

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles"


def detail(article):
    return f"/api/v1/articles/{article.pk}"


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def test_drafts_scheduled_and_unpublished_articles_never_appear(api):
    live = ArticleFactory()
    draft = ArticleFactory(draft=True)
    future = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=2))
    gone = ArticleFactory()
    unpublish(article=gone, user=role_user("Editor"), reason="Outdated advice")

    assert ids(api.get(LIST)) == [live.pk]
    assert api.get(detail(live)).status_code == 200
    for hidden in (draft, future, gone):
        response = api.get(detail(hidden))
        assert response.status_code == 404
        assert "No published article" in response.json()["error"]


def test_a_writers_edit_of_a_live_article_is_not_served_until_published(api):
    article = cited_article(title="What readers see")
    Article.objects.filter(pk=article.pk).update(title="Unreviewed draft title", body="Draft")

    data = api.get(detail(article)).json()["data"]
    assert data["title"] == "What readers see"
    assert "Draft" not in data["body_html"]
    assert api.get(LIST).json()["data"][0]["title"] == "What readers see"


def test_every_field_matches_the_public_page(api, client):
    site = build_public_site()
    article = Article.objects.get(pk=site.article.pk)
    refresh_hero_renditions(article=article)
    republish(article, change_summary="Hero image renditions")
    article = Article.objects.get(pk=article.pk)
    version = article.live_version

    data = api.get(detail(article)).json()["data"]
    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    tree = parse_html(page.content)

    assert data["title"] == tree.find("h1").text()
    assert data["summary"] == tree.find("p", class_="article__summary").text()
    assert data["url"] == tree.find("link", rel="canonical")["href"]
    assert data["body_html"].strip() in html
    assert "Lower back pain is common" in data["body_text"]
    assert "<" not in data["body_text"]
    assert data["author"] in tree.find("p", class_="review-byline__author").text()
    byline = tree.find("p", class_="review-byline__reviewer").text()
    assert data["reviewer"]["name_with_credentials"] == "Dr Helena Marwick, MBBS, MRCGP"
    assert data["reviewer"]["name_with_credentials"] in byline
    assert data["reviewer"]["url"].endswith(site.reviewer.get_absolute_url())
    dates = [t["datetime"] for t in tree.find("dl", class_="review-dates").find_all("time")]
    assert dates == [data["last_reviewed_on"], data["next_review_due"]]
    assert data["category"]["name"] == tree.find("p", class_="eyebrow").text()
    page_tags = [a.text() for a in tree.find("ul", class_="tag-list").find_all("a")]
    assert [t["name"] for t in data["tags"]] == page_tags

    sources = tree.find("ol", class_="sources__list").find_all("li")
    assert len(data["citations"]) == len(sources) == 2
    for citation, item in zip(data["citations"], sources, strict=True):
        assert item["id"] == f"source-{citation['number']}"
        assert citation["source_name"] == item.find("span", class_="sources__name").text()
        assert citation["trust_label"] == item.find("span", class_="trust-label").text()
        assert item.find("a")["href"] == citation["url"]
        assert citation["title"] == item.find("a").text()
    lancet = data["citations"][1]
    assert (lancet["doi"], lancet["pmid"], lancet["year"]) == (
        "10.1016/S0140-6736(18)30480-X", "29573870", 2018
    )  # fmt: skip
    assert lancet["accessed_on"] == "2025-09-02"
    assert lancet["source_type"] == "Government authority"

    questions = [h.text() for h in tree.find_all("h3", class_="faq__question")]
    assert [faq["question"] for faq in data["faqs"]] == questions
    for faq in data["faqs"]:
        assert faq["answer_html"] in html
    assert "slow recovery" in data["faqs"][0]["answer_text"]

    hero = data["hero_image"]
    image = tree.find("figure", class_="hero").find("img")
    assert hero["alt"] == image["alt"]
    assert hero["credit"] == tree.find("figure", class_="hero").find("figcaption").text()
    assert hero["renditions"], "the version's renditions are listed"
    page_srcset = " ".join(
        s.get("srcset", "") for s in tree.find("figure", class_="hero").find_all("source")
    ) + image.get("srcset", "")
    for rendition in hero["renditions"]:
        assert rendition["url"].startswith("http://testserver/media/renditions/")
        assert rendition["url"].removeprefix("http://testserver") in page_srcset
        assert f"{rendition['url'].removeprefix('http://testserver')} {rendition['width']}w" in (
            page_srcset
        )
    assert data["version"] == version.number
    assert data["is_sample"] is False
    assert data["being_reviewed"] is False
    assert data["language"] == "en"
    assert tree.find("html")["lang"].lower().startswith(data["language"])
    assert data["translations"] == []
    assert data["outline"][0] == ["what-causes-it", "What causes it"]


def test_the_sample_notice_and_overdue_review_are_named(api):
    article = ArticleFactory(
        is_sample=True,
        last_reviewed_on=datetime.date(2019, 1, 1),
        next_review_due=datetime.date(2020, 1, 1),
    )
    data = api.get(detail(article)).json()["data"]
    assert data["is_sample"] is True
    assert data["being_reviewed"] is True
    assert data["next_review_due"] == "2020-01-01"


def test_every_answer_names_the_attribution(api, consumer, settings):
    ArticleFactory()
    for path in (LIST, "/api/v1/categories", "/api/v1/reviewers", "/api/v1/sources"):
        assert api.get(path).json()["attribution"] == consumer.attribution
    consumer.attribution = ""
    consumer.save()
    settings.API_ATTRIBUTION = "Reviewed content from healthsite"
    assert api.get(LIST).json()["attribution"] == "Reviewed content from healthsite"


def test_filter_by_category_and_tag(api):
    sleep, skin = CategoryFactory(slug="sleep"), CategoryFactory(slug="skin")
    a = ArticleFactory(category=sleep, tags=["insomnia"])
    b = ArticleFactory(category=skin, tags=["insomnia", "eczema"])
    ArticleFactory(category=skin)

    assert ids(api.get(LIST, {"category": "sleep"})) == [a.pk]
    assert ids(api.get(LIST, {"tag": "eczema"})) == [b.pk]
    assert sorted(ids(api.get(LIST, {"tag": "insomnia"}))) == sorted([a.pk, b.pk])
    assert ids(api.get(LIST, {"category": "skin", "tag": "insomnia"})) == [b.pk]
    missing = api.get(LIST, {"category": "no-such-topic"})
    assert missing.status_code == 404
    assert "GET /api/v1/categories" in missing.json()["error"]


def test_filter_by_category_follows_the_live_version_not_the_draft(api):
    old, new = CategoryFactory(slug="old-topic"), CategoryFactory(slug="new-topic")
    article = ArticleFactory(category=old)
    Article.objects.filter(pk=article.pk).update(category=new)  # a draft edit
    assert ids(api.get(LIST, {"category": "old-topic"})) == [article.pk]
    assert ids(api.get(LIST, {"category": "new-topic"})) == []


def test_filter_by_last_reviewed_between_two_dates(api):
    early = ArticleFactory(last_reviewed_on=datetime.date(2025, 3, 1))
    middle = ArticleFactory(last_reviewed_on=datetime.date(2025, 6, 15))
    late = ArticleFactory(last_reviewed_on=datetime.date(2025, 12, 1))

    between = {"reviewed_from": "2025-06-01", "reviewed_to": "2025-06-30"}
    assert ids(api.get(LIST, between)) == [middle.pk]
    assert ids(api.get(LIST, {"reviewed_from": "2025-06-15"})) == [middle.pk, late.pk]
    assert ids(api.get(LIST, {"reviewed_to": "2025-06-15"})) == [early.pk, middle.pk]
    bad = api.get(LIST, {"reviewed_from": "June"})
    assert bad.status_code == 400
    assert "reviewed_from" in bad.json()["error"]


def test_filter_updated_since(api):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    # Published long ago: a version is final, so its publication time is set as it is made.
    old = ArticleFactory(published_at=long_ago)
    recent = ArticleFactory(published_at=long_ago)
    Article.objects.filter(pk=old.pk).update(updated_at=long_ago)
    Article.objects.filter(pk=recent.pk).update(updated_at=long_ago)
    for model in (old.reviewer, recent.reviewer, old.category, recent.category):
        type(model).objects.filter(pk=model.pk).update(updated_at=long_ago)
    since = timezone.now() - datetime.timedelta(days=1)
    assert ids(api.get(LIST, {"updated_since": since.isoformat()})) == []

    republish(Article.objects.get(pk=recent.pk), change_summary="Re-reviewed")  # changes today
    assert ids(api.get(LIST, {"updated_since": since.isoformat()})) == [recent.pk]
    # A change to the reviewer shown is a change to the article's answer.
    old.reviewer.credentials = "MD, PhD"
    old.reviewer.save()
    assert sorted(ids(api.get(LIST, {"updated_since": since.isoformat()}))) == sorted(
        [old.pk, recent.pk]
    )


def test_cursor_pagination_walks_every_article_once_across_changes(api):
    start = timezone.now() - datetime.timedelta(days=50)
    articles = [ArticleFactory(published_at=start + datetime.timedelta(days=i)) for i in range(7)]
    first = api.get(LIST, {"limit": 3}).json()
    assert [a["id"] for a in first["data"]] == [a.pk for a in articles[:3]]
    assert first["next"].startswith("http://testserver/api/v1/articles?")

    # Meanwhile: one article already seen is republished, one not yet seen is unpublished,
    # and a new one is published.
    republish(Article.objects.get(pk=articles[1].pk), change_summary="Updated")
    unpublish(article=articles[4], user=role_user("Editor"), reason="Withdrawn")
    newest = ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=1))

    seen = [a["id"] for a in first["data"]]
    page = first
    while page["next_cursor"]:
        page = api.get(LIST, {"limit": 3, "cursor": page["next_cursor"]}).json()
        seen += [a["id"] for a in page["data"]]
    expected = [a.pk for a in articles if a.pk != articles[4].pk] + [newest.pk]
    assert seen == expected
    assert page["next"] is None


def test_a_cursor_that_was_not_given_out_is_refused_clearly(api):
    ArticleFactory()
    for cursor in ("not-a-cursor", "W10", "eyJhIjoxfQ"):
        response = api.get(LIST, {"cursor": cursor})
        assert response.status_code == 400
        assert "next_cursor" in response.json()["error"]
    assert api.get(LIST, {"limit": 0}).status_code == 400
    assert api.get(LIST, {"limit": 101}).status_code == 400


def test_etag_and_last_modified_answer_304(api):
    article = cited_article()
    first = api.get(detail(article))
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Authorization" in first["Vary"]

    again = api.get(detail(article), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert api.get(detail(article), headers={"If-Modified-Since": modified}).status_code == 304

    listing = api.get(LIST)
    assert api.get(LIST, headers={"If-None-Match": listing["ETag"]}).status_code == 304

    FAQFactory(article=article, question="A new question?")
    republish(Article.objects.get(pk=article.pk), change_summary="Added a question")
    changed = api.get(detail(article), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert api.get(LIST, headers={"If-None-Match": listing["ETag"]}).status_code == 200


def test_categories_reviewers_and_sources(api):
    site = build_public_site()
    categories = api.get("/api/v1/categories").json()["data"]
    back = next(c for c in categories if c["slug"] == "back-pain")
    assert back["article_count"] == 2
    assert back["url"] == f"http://testserver{site.category.get_absolute_url()}"

    reviewers = api.get("/api/v1/reviewers").json()["data"]
    helena = next(r for r in reviewers if r["slug"] == "helena-marwick")
    assert helena["credentials"] == "MBBS, MRCGP"
    assert helena["bio"].startswith("Helena is a GP")
    assert helena["photo"]["url"].startswith("http://testserver/media/")

    sources = {s["slug"]: s for s in api.get("/api/v1/sources").json()["data"]}
    assert sources["nhs"]["trust_label"] == "Governmental authority"
    assert sources["the-lancet"]["source_type_label"] == "Government authority"


def test_unpublished_status_is_not_enough_to_hide_a_draft_of_a_live_article(api):
    """An article whose working copy changed status by hand is judged as readers' pages
    judge it: published() (status, live version, publication time)."""
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.DRAFT)
    assert api.get(detail(article)).status_code == 404
    assert reverse("api:article", kwargs={"article_id": article.pk}) == detail(article)


def test_an_article_names_its_translations_and_their_language(api):
    source = ArticleFactory(title="Sleep and health")
    spanish = ArticleFactory(language="es", translation_of=source, title="El sueño y la salud")

    data = api.get(detail(source)).json()["data"]
    assert data["language"] == "en"
    assert data["translation_of"] is None
    assert data["translations"] == [
        {
            "id": spanish.pk,
            "language": "es",
            "title": "El sueño y la salud",
            "url": f"http://testserver{spanish.get_absolute_url()}",
            "api_url": f"http://testserver{detail(spanish)}",
        }
    ]
    translated = api.get(detail(spanish)).json()["data"]
    assert translated["language"] == "es"
    assert translated["translation_of"] == source.pk
    assert [t["id"] for t in translated["translations"]] == [source.pk]
    assert ids(api.get(LIST, {"language": "es"})) == [spanish.pk]
    assert api.get(LIST, {"language": "xx"}).status_code == 404
