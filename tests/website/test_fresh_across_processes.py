"""With the default settings, a change made in any process shows on every page type on the
next request, and the feedback limits count across processes (issue 13, part 1)."""

import json

import pytest

from tests.servers import Gunicorn, fetch, manage, production_env, shell

BUILD_SITE = """
import json
from django.conf import settings
from tests.public_pages import build_public_site
site = build_public_site()
paths = site.paths()
paths.update(feed="/feed/", sitemap="/sitemap.xml")
print(json.dumps({"paths": paths, "backend": settings.CACHES["default"]["BACKEND"]}))
"""

RENAME_TOPIC_AND_UNPUBLISH = """
from articles.models import Category
from editorial.services import unpublish
from tests.factories import role_user
from tests.public_pages import build_public_site
category = Category.objects.get(slug="back-pain")
category.name = "Spine and back"
category.save()
from articles.models import Article
second = Article.objects.exclude(slug="{article_slug}").get(category=category)
unpublish(article=second, user=role_user("Editor"), reason="Out of date")
print(second.title)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("processes")
    env = production_env(tmp_path)
    del env["CACHE_URL"]  # the default: the file cache, here under tmp_path/var/cache
    env["HEALTHSITE_VAR_DIR"] = str(tmp_path / "var")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    built = json.loads(shell(env, BUILD_SITE).splitlines()[-1])
    server = Gunicorn(env, workers=2)
    yield env, server, built
    server.stop()


def test_the_default_cache_is_shared_by_every_process(site):
    env, _, built = site
    assert built["backend"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_a_change_made_by_a_command_shows_on_the_next_request_of_every_page(site):
    env, server, built = site
    paths = built["paths"]
    second_title = "Sitting and back pain"
    before = {}
    for name, path in paths.items():
        for _ in range(6):  # both workers have served and stored every page
            status, headers, body = fetch(server.url + path)
            assert status == 200, (name, status)
        before[name] = body
    assert "Back pain" in before["home"]

    article_slug = paths["article"].rstrip("/").rsplit("/", 1)[-1]
    second_title = shell(env, RENAME_TOPIC_AND_UNPUBLISH.format(article_slug=article_slug))
    second_title = second_title.strip().splitlines()[-1]
    assert second_title in before["category"]

    for name, path in paths.items():
        for attempt in range(4):
            status, _, body = fetch(server.url + path)
            assert status == 200, (name, status)
            if name not in ("feed", "sitemap"):
                assert "Spine and back" in body, f"{name}, request {attempt + 1}: old topic name"
            assert second_title not in body, f"{name}, request {attempt + 1}: unpublished title"


def test_feedback_limits_count_across_processes(site):
    env, _, _ = site
    send = """
from articles.models import Article
from feedback.services import FeedbackRateLimited, record_feedback
article = Article.objects.published().order_by("pk").first()
try:
    record_feedback(article=article, helpful=True, client_address="203.0.113.9")
    print("stored")
except FeedbackRateLimited:
    print("refused")
"""
    answers = [shell(env, send).strip().splitlines()[-1] for _ in range(4)]
    assert answers == ["stored", "stored", "stored", "refused"]


def test_a_per_process_cache_with_debug_off_is_warned_about(settings):
    from website.checks import cache_is_shared

    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [warning.id for warning in cache_is_shared(None)] == ["website.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": "/tmp/unused",
        }
    }
    assert cache_is_shared(None) == []
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert cache_is_shared(None) == []
