"""A cache outage is not a site outage: with Redis paused (every call times out) or stopped
(refused), pages, /healthz, the admin login and feedback answer; when Redis is back, a
change made meanwhile shows (issue 13, part 2). A real redis-server of the test's own."""

import contextlib
import time

import pytest
from django.core.cache import cache as django_cache

from feedback.models import Feedback
from healthsite import cache
from tests.factories import ArticleFactory, republish
from tests.servers import Redis, free_port
from website import page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def redis_server():
    server = Redis()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def on_redis(settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    settings.CACHE_RETRY_SECONDS = 0
    django_cache.clear()
    yield
    if redis_server.process.poll() is not None:
        redis_server.start()
    redis_server.resume()
    cache._failed_at = None


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def rename(article, title):
    article.title = title
    article.save()
    republish(article, change_summary="New title")


def test_pages_are_cached_in_redis_while_it_answers(client, django_assert_num_queries):
    article = ArticleFactory(title="Stored in Redis")
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert "Stored in Redis" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("outage", ["paused", "stopped"])
def test_the_site_answers_while_the_cache_is_down(client, redis_server, outage):
    article = ArticleFactory(title="Still readable")
    assert client.get(article.get_absolute_url()).status_code == 200
    if outage == "paused":
        redis_server.pause()
    else:
        redis_server.stop()

    started = time.monotonic()
    for path in [article.get_absolute_url(), "/", article.category.get_absolute_url()]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Still readable" in client.get(article.get_absolute_url()).content.decode()
    # Each call waits at most its timeout (0.2 s): a handful per page, not Redis's default.
    assert time.monotonic() - started < 15

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.content == b"ok; cache unavailable"
    assert client.get("/admin/login/").status_code == 200


def test_feedback_limits_count_stored_answers_while_the_cache_is_down(client, redis_server):
    article = ArticleFactory()
    redis_server.stop()
    url = f"/articles/{article.slug}/feedback/"
    origin = {"HTTP_ORIGIN": "http://testserver"}
    answers = [client.post(url, {"helpful": "yes"}, **origin) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert answers[3].status_code == 429
    assert Feedback.objects.filter(article=article).count() == 3


@pytest.fixture
def cut_off(settings, redis_server):
    """This process cannot reach Redis (a partition; Redis keeps its data): the change's
    move of the generation never reaches it. (A paused Redis is no good here: it still runs
    the writes that timed out once it resumes.)"""

    @contextlib.contextmanager
    def cut():
        reachable = settings.CACHES
        settings.CACHES = {
            "default": {**reachable["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
        }
        yield
        settings.CACHES = reachable

    return cut


def test_a_change_made_during_the_outage_shows_once_the_cache_is_back(client, commit, cut_off):
    article = ArticleFactory(title="Before the outage")
    client.get(article.get_absolute_url())
    with cut_off():
        commit(rename, article, "Changed during the outage")
        assert (
            "Changed during the outage" in client.get(article.get_absolute_url()).content.decode()
        )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Changed during the outage" in page


def test_a_process_that_never_saw_the_outage_catches_up_within_the_check_interval(
    client, commit, cut_off, settings
):
    article = ArticleFactory(title="Before the outage")
    client.get(article.get_absolute_url())
    with cut_off():
        commit(rename, article, "Changed during the outage")
    cache._failed_at = None  # as if the change had been made by another process (cron)
    assert "Before the outage" in client.get(article.get_absolute_url()).content.decode()
    settings.PAGE_CACHE_CHECK_SECONDS = 0
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Changed during the outage" in page
    assert django_cache.get(page_cache.GENERATION_KEY) == page_cache.generation_of_record()
