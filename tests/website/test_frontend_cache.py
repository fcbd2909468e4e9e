"""Public pages carry cache tags and a shared cache lifetime; every change purges exactly
its tags from each configured frontend after commit: Varnish, Cloudflare and CloudFront, each
checked against a local HTTP server that answers as the service does (issue 13, part 4)."""

import datetime
import json
import logging
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.urls import reverse

from articles.models import Category
from editorial.models import ReviewRequest
from editorial.services import decide_review
from tests.factories import ArticleFactory, ReviewerFactory, role_user
from tests.public_pages import build_public_site
from tests.servers import RecordingServer
from tests.signatures import signed
from website import cache_tags, frontend_cache
from website.models import PendingPurge

pytestmark = pytest.mark.django_db


def ok(request):
    return 200, {}, b"purged"


@pytest.fixture
def varnish(settings):
    """A stand-in Varnish that accepts every purge; its requests are in .requests."""
    server = RecordingServer(ok)
    settings.FRONTENDS = [f"varnish://127.0.0.1:{server.url.rsplit(':', 1)[1]}"]
    yield server
    server.stop()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def tags(response, header="xkey"):
    separator = cache_tags.TAG_HEADERS[header]
    return set(response[header].split(separator))


def test_article_pages_are_tagged_with_what_they_show(client, varnish):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    version = article.live_version
    expected = {
        "site",
        f"article:{article.pk}",
        f"category:{version.category_id}",
        f"reviewer:{version.reviewer_id}",
    }
    assert tags(response) == expected
    assert tags(response, "Surrogate-Key") == expected
    assert tags(response, "Cache-Tag") == expected


def test_listing_pages_are_tagged_as_listings(client, varnish):
    site = build_public_site()
    paths = site.paths()
    assert tags(client.get(paths["home"])) == {"site", "listings"}
    assert tags(client.get(paths["category"])) == {
        "site",
        "listings",
        f"category:{site.category.pk}",
    }
    assert f"reviewer:{site.reviewer.pk}" in tags(client.get(paths["reviewer"]))
    assert "listings" in tags(client.get(reverse("website:sitemap")))
    assert "listings" in tags(client.get(reverse("website:feed")))


def test_shared_caches_may_keep_pages_browsers_revalidate(client, settings, varnish):
    settings.FRONTEND_CACHE_SECONDS = 300
    article = ArticleFactory()
    cache_control = client.get(article.get_absolute_url())["Cache-Control"]
    assert "max-age=0" in cache_control
    assert "must-revalidate" in cache_control
    seconds = int(cache_control.split("s-maxage=")[1].split(",")[0])
    assert 0 < seconds <= 300


def test_without_frontends_shared_caches_must_revalidate(client, settings):
    settings.FRONTENDS = []
    article = ArticleFactory()
    assert "s-maxage" not in client.get(article.get_absolute_url())["Cache-Control"]


def test_shared_lifetime_ends_at_midnight_so_the_being_reviewed_notice_is_on_time(settings):
    settings.FRONTEND_CACHE_SECONDS = 3600
    settings.TIME_ZONE = "Europe/London"
    london = zoneinfo.ZoneInfo("Europe/London")
    at = datetime.datetime(2026, 6, 1, 23, 50, tzinfo=london)
    assert cache_tags.shared_max_age(at) == 600
    assert cache_tags.shared_max_age(at.replace(hour=12)) == 3600


def test_a_stored_copy_is_served_with_a_lifetime_counted_from_now(client, settings, varnish):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    settings.FRONTEND_CACHE_SECONDS = 300
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    settings.FRONTEND_CACHE_SECONDS = 5  # as if midnight were five seconds away
    assert "s-maxage=5" in client.get(article.get_absolute_url())["Cache-Control"]


def test_anonymous_readers_never_get_a_cookie_on_a_public_page(client, varnish):
    site = build_public_site()
    for name, path in {**site.paths(), "feed": "/feed/", "sitemap": "/sitemap.xml"}.items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert not response.cookies, f"{name} sets {list(response.cookies)}"
        assert "Set-Cookie" not in response, name


def test_a_sign_off_purges_exactly_its_article_and_the_listings(client, varnish, commit):
    reviewer_user = role_user("Medical reviewer")
    reviewer = ReviewerFactory(user=reviewer_user)
    article = ArticleFactory(reviewer=reviewer)
    ArticleFactory()  # another article, which the sign-off must not purge
    review = ReviewRequest.objects.create(article=article, reviewer=reviewer)
    varnish.requests.clear()
    commit(
        decide_review, review_request=review, user=reviewer_user, decision="approved",
        **signed(review, reviewer_user),
    )  # fmt: skip
    assert len(varnish.requests) == 1, "one purge for the whole transaction"
    purge = varnish.requests[0]
    assert purge["method"] == "PURGE"
    assert purge["path"] == "/"
    assert set(purge["headers"]["xkey-purge"].split()) == {f"article:{article.pk}", "listings"}


def test_renaming_a_topic_purges_every_page(varnish, commit):
    category = ArticleFactory().category
    varnish.requests.clear()
    category.name = "Renamed"
    commit(Category.save, category)
    assert [r["headers"]["xkey-purge"] for r in varnish.requests] == ["site"]


def test_nothing_is_purged_before_the_commit(varnish, django_capture_on_commit_callbacks):
    category = ArticleFactory().category
    varnish.requests.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        category.name = "Renamed"
        category.save()
    assert varnish.requests == []
    assert callbacks, "the purge waits for the commit"


def test_cloudflare_is_purged_by_tag_with_the_api_token(settings):
    def answer(request):
        return 200, {"Content-Type": "application/json"}, b'{"success": true, "result": {}}'

    server = RecordingServer(answer)
    settings.CLOUDFLARE_API_URL = f"{server.url}/client/v4"
    settings.CLOUDFLARE_API_TOKEN = "test-token"
    tags = ["listings", *(f"article:{n}" for n in range(40))]
    try:
        frontend_cache.send(tags, frontends=["cloudflare://zone123"])
    finally:
        server.stop()
    assert len(server.requests) == 2, "Cloudflare takes 30 tags per request"
    sent = []
    for request in server.requests:
        assert request["method"] == "POST"
        assert request["path"] == "/client/v4/zones/zone123/purge_cache"
        assert request["headers"]["Authorization"] == "Bearer test-token"
        assert request["headers"]["Content-Type"] == "application/json"
        sent += json.loads(request["body"])["tags"]
    assert sorted(sent) == sorted(tags)
    assert not PendingPurge.objects.exists()


CLOUDFRONT_ANSWER = b"""<?xml version="1.0"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
<Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-12-03T12:00:00Z</CreateTime>
<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/</Path></Items></Paths>
<CallerReference>x</CallerReference></InvalidationBatch></Invalidation>"""


def test_cloudfront_gets_a_signed_invalidation_of_the_tags_paths(settings, monkeypatch):
    def answer(request):
        return 201, {"Content-Type": "text/xml", "Location": "/x"}, CLOUDFRONT_ANSWER

    server = RecordingServer(answer)
    settings.CLOUDFRONT_API_URL = server.url
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-test")
    article = ArticleFactory(slug="back-pain-basics")
    try:
        frontend_cache.send(
            [f"article:{article.pk}", "listings"], frontends=["cloudfront://EDFDVBD6EXAMPLE"]
        )
    finally:
        server.stop()
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request["method"] == "POST"
    assert request["path"] == "/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation"
    authorization = request["headers"]["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
    assert "/us-east-1/cloudfront/aws4_request" in authorization
    assert "Signature=" in authorization and request["headers"]["X-Amz-Date"]
    body = ET.fromstring(request["body"])
    ns = {"cf": "http://cloudfront.amazonaws.com/doc/2020-05-31/"}
    paths = [p.text for p in body.findall("cf:Paths/cf:Items/cf:Path", ns)]
    assert "/articles/back-pain-basics/*" in paths
    assert {"/", "/topics/*", "/sitemap*"} <= set(paths)
    assert body.find("cf:Paths/cf:Quantity", ns).text == str(len(paths))
    assert body.find("cf:CallerReference", ns).text


def test_a_failed_purge_is_logged_kept_and_retried(settings, caplog):
    answers = iter([(503, {}, b"backend fetch failed"), (200, {}, b"ok")])
    server = RecordingServer(lambda request: next(answers))
    url = f"varnish://127.0.0.1:{server.url.rsplit(':', 1)[1]}"
    try:
        with caplog.at_level(logging.WARNING, logger="website.frontend_cache"):
            frontend_cache.send(["article:1", "listings"], frontends=[url])
        assert "failed" in caplog.text
        pending = PendingPurge.objects.get()
        assert (pending.frontend, pending.tags) == (url, ["article:1", "listings"])
        assert frontend_cache.send_pending_purges(now=pending.next_attempt_at) == 1
    finally:
        server.stop()
    assert [r["headers"]["xkey-purge"] for r in server.requests] == ["article:1 listings"] * 2
    assert not PendingPurge.objects.exists()


def test_a_purge_that_keeps_failing_is_dropped_once_the_pages_have_expired(settings):
    settings.FRONTEND_CACHE_SECONDS = 300
    frontend_cache.send(["site"], frontends=["varnish://127.0.0.1:9"])  # nothing listens
    pending = PendingPurge.objects.get()
    later = pending.created_at + datetime.timedelta(seconds=301)
    assert frontend_cache.send_pending_purges(now=later) == 0
    assert not PendingPurge.objects.exists()
