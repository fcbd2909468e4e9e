"""The sitemap, robots.txt and the RSS feeds, parsed as XML and text."""

import datetime
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from articles.models import Article, ArticleStatus
from tests.factories import ArticleFactory, CategoryFactory, ReviewerFactory, republish
from website.sitemaps import ArticleSitemap

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def sitemap_files(client, **headers) -> list[str]:
    """The addresses of the sitemap files the index at /sitemap.xml names."""
    response = client.get("/sitemap.xml", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    return [element.find(f"{SITEMAP}loc").text for element in root.findall(f"{SITEMAP}sitemap")]


def sitemap_file_entries(client, url, **headers) -> dict[str, str | None]:
    response = client.get(url.removeprefix("http://testserver"), headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    entries = {}
    for element in root.findall(f"{SITEMAP}url"):
        lastmod = element.find(f"{SITEMAP}lastmod")
        loc = element.find(f"{SITEMAP}loc").text
        entries[loc] = lastmod.text if lastmod is not None else None
    return entries


def sitemap_entries(client) -> dict[str, str | None]:
    entries = {}
    for url in sitemap_files(client):
        entries.update(sitemap_file_entries(client, url))
    return entries


def day(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


@pytest.fixture
def content():
    """Two topics and reviewers with published articles, and pages that must stay out."""
    sleep = CategoryFactory(name="Sleep", slug="sleep")
    pain = CategoryFactory(name="Pain", slug="pain")
    lena = ReviewerFactory(slug="lena")
    omar = ReviewerFactory(slug="omar")
    insomnia = ArticleFactory(
        slug="insomnia", category=sleep, reviewer=lena, tags=["night"], published_at=days_ago(40)
    )
    naps = ArticleFactory(
        slug="naps", category=sleep, reviewer=omar, tags=["night", "rest"], published_at=days_ago(9)
    )
    back = ArticleFactory(slug="back", category=pain, reviewer=omar, published_at=days_ago(20))
    # A later review of "back" with no changes: its page changed then.
    republish(back, published_at=days_ago(2), change_summary="Reviewed, no changes")
    # Nothing below is public.
    drafts = CategoryFactory(slug="only-drafts")
    hidden = ReviewerFactory(slug="hidden")
    ArticleFactory(slug="draft", draft=True, category=drafts, tags=["secret"])
    ArticleFactory(
        slug="embargoed",
        category=drafts,
        reviewer=hidden,
        tags=["future"],
        published_at=timezone.now() + datetime.timedelta(days=3),
    )
    gone = ArticleFactory(slug="gone", category=drafts, reviewer=hidden, tags=["gone"])
    Article.objects.filter(pk=gone.pk).update(status=ArticleStatus.UNPUBLISHED)
    for article in (insomnia, naps, back):
        article.refresh_from_db()
    return {"insomnia": insomnia, "naps": naps, "back": back}


def test_sitemap_lists_every_public_page_and_nothing_else(client, content):
    entries = sitemap_entries(client)
    base = "http://testserver"
    assert set(entries) == {
        f"{base}/",
        f"{base}/articles/insomnia/",
        f"{base}/articles/naps/",
        f"{base}/articles/back/",
        f"{base}/topics/sleep/",
        f"{base}/topics/pain/",
        f"{base}/tags/night/",
        f"{base}/tags/rest/",
        f"{base}/reviewers/lena/",
        f"{base}/reviewers/omar/",
    }
    for url in entries:
        assert client.get(url.removeprefix(base)).status_code == 200, url


def test_sitemap_lastmod_is_the_latest_publication_or_review(client, content):
    entries = sitemap_entries(client)
    insomnia, naps, back = (content[name].live_version for name in ("insomnia", "naps", "back"))
    base = "http://testserver"
    assert entries[f"{base}/articles/insomnia/"] == day(insomnia.published_at)
    assert entries[f"{base}/articles/back/"] == day(back.published_at) == day(days_ago(2))
    assert entries[f"{base}/topics/sleep/"] == day(naps.published_at)
    assert entries[f"{base}/topics/pain/"] == day(back.published_at)
    assert entries[f"{base}/tags/night/"] == day(naps.published_at)
    assert entries[f"{base}/tags/rest/"] == day(naps.published_at)
    assert entries[f"{base}/reviewers/lena/"] == day(insomnia.published_at)
    assert entries[f"{base}/reviewers/omar/"] == day(back.published_at)
    assert entries[f"{base}/"] == day(back.published_at)


def test_sitemap_uses_the_request_scheme_and_host(client, content):
    headers = {"x-forwarded-proto": "https", "host": "localhost"}
    files = sitemap_files(client, **headers)
    assert files and all(url.startswith("https://localhost/sitemap-") for url in files)
    for url in files:
        path = url.removeprefix("https://localhost")
        response = client.get(path, headers=headers)
        locs = [el.text for el in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
        assert locs and all(loc.startswith("https://localhost/") for loc in locs)


def test_the_index_names_files_of_at_most_the_limit(client, content, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    files = sitemap_files(client)
    article_files = [url for url in files if "/sitemap-articles.xml" in url]
    assert article_files == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
    ]
    pages = [sitemap_file_entries(client, url) for url in article_files]
    assert [len(page) for page in pages] == [2, 1]
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert Sitemap.limit == 50_000  # the protocol's limit; articles use 5,000


def test_the_index_says_when_each_file_last_changed(client, content):
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    lastmods = {
        element.find(f"{SITEMAP}loc").text: element.find(f"{SITEMAP}lastmod").text[:10]
        for element in root.findall(f"{SITEMAP}sitemap")
    }
    back = content["back"].live_version
    assert lastmods["http://testserver/sitemap-articles.xml"] == day(back.published_at)
    assert lastmods["http://testserver/sitemap-home.xml"] == day(back.published_at)


@pytest.mark.parametrize("count", [1, 30])
def test_sitemap_query_count_is_constant(client, django_assert_num_queries, count):
    for n in range(count):
        ArticleFactory(
            category=CategoryFactory(), reviewer=ReviewerFactory(), tags=[f"tag-{n}", "shared"]
        )
    # Home: one date; articles: a count and the latest date; topics, tags and reviewers: their
    # list, read twice here as the tests keep nothing (website/listing_counts.py).
    with django_assert_num_queries(9):
        files = sitemap_files(client)
    assert len(files) == 5
    entries = {}
    for url in files:
        # Articles: a count, one page of items and their language versions; the others:
        # their list (or, for home, the date).
        with django_assert_num_queries(3 if "articles" in url else 1):
            entries.update(sitemap_file_entries(client, url))
    assert len(entries) == 1 + 4 * count + 1


def test_empty_site_has_a_valid_sitemap(client):
    assert sitemap_entries(client) == {"http://testserver/": None}


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert [line for line in lines if line.startswith("Disallow:")] == [
        "Disallow: /admin/",
        "Disallow: /articles/*/preview/",
    ]
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_txt_points_at_the_sitemap_on_the_requested_host(client):
    response = client.get(
        "/robots.txt", headers={"x-forwarded-proto": "https", "host": "localhost"}
    )
    assert "Sitemap: https://localhost/sitemap.xml" in response.content.decode().splitlines()


def feed_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    return channel, channel.findall("item")


def test_site_feed_lists_the_latest_live_versions(client, content):
    naps = content["naps"]
    naps.title = "Unreviewed working copy title"
    naps.save()
    channel, items = feed_items(client, "/feed/")
    assert channel.findtext("title") == "healthsite: latest articles"
    assert channel.findtext("link") == "http://testserver/"
    assert [item.findtext("link") for item in items] == [
        "http://testserver/articles/back/",
        "http://testserver/articles/naps/",
        "http://testserver/articles/insomnia/",
    ]
    for item in items:
        slug = item.findtext("link").rstrip("/").rsplit("/", 1)[-1]
        live = content[slug].live_version
        assert item.findtext("title") == live.title
        assert item.findtext("description") == live.summary
        assert parsedate_to_datetime(item.findtext("pubDate")) == live.published_at.replace(
            microsecond=0
        )
    assert "Unreviewed" not in ET.tostring(channel, encoding="unicode")


def test_site_feed_has_the_latest_twenty(client):
    for n in range(22):
        ArticleFactory(slug=f"a-{n}", published_at=days_ago(30 - n))
    _, items = feed_items(client, "/feed/")
    assert len(items) == 20
    assert items[0].findtext("link") == "http://testserver/articles/a-21/"


def test_category_feed_lists_only_its_articles(client, content):
    channel, items = feed_items(client, "/topics/sleep/feed/")
    assert channel.findtext("title") == "healthsite: Sleep"
    assert channel.findtext("link") == "http://testserver/topics/sleep/"
    assert [item.findtext("link") for item in items] == [
        "http://testserver/articles/naps/",
        "http://testserver/articles/insomnia/",
    ]
    assert [item.findtext("category") for item in items] == ["Sleep", "Sleep"]


def test_category_feed_of_a_topic_without_public_articles_is_empty(client, content):
    _, items = feed_items(client, "/topics/only-drafts/feed/")
    assert items == []


def test_unknown_category_feed_is_404(client):
    assert client.get("/topics/nope/feed/").status_code == 404


def test_sitemap_files_are_kept_until_what_readers_see_changes(
    client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.LISTING_COUNT_SECONDS = 300
    first = ArticleFactory(title="Kept")
    url = "/sitemap-articles.xml"
    assert list(sitemap_file_entries(client, url)) == [
        f"http://testserver{first.get_absolute_url()}"
    ]
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again["X-Robots-Tag"]
    assert again["Content-Type"].startswith("application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        second = ArticleFactory(title="Published after")
    assert set(sitemap_file_entries(client, url)) == {
        f"http://testserver{article.get_absolute_url()}" for article in (first, second)
    }
    assert len(sitemap_files(client)) == 5
    # Another host's file names its own addresses.
    assert all(
        loc.startswith("http://127.0.0.1/")
        for loc in sitemap_file_entries(client, url, host="127.0.0.1")
    )
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
