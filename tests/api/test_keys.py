"""Keys, rate limits and usage: who may read the API, how much, and what editors see."""

import datetime
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import healthsite.cache
from api import usage
from api.keys import create_api_key, hash_key, revoke_api_key
from api.models import ApiConsumer, ApiKey, ApiUsage
from api.usage import flush_usage, pending_requests, record_request
from tests.factories import ArticleFactory, UserFactory, role_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles"


def client_with(authorization):
    return Client(headers={"Authorization": authorization} if authorization else {})


def refused(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response["WWW-Authenticate"].startswith("Bearer")
    return response.json()["error"]


def test_a_request_without_a_key_is_refused_saying_how_to_send_one(db):
    assert "Authorization: Bearer <key>" in refused(client_with(None).get(LIST))
    assert "Bearer" in refused(client_with("Token abc").get(LIST))
    assert "Bearer" in refused(client_with("Bearer").get(LIST))


def test_a_wrong_key_is_refused(api_key):
    assert "not known" in refused(client_with(f"Bearer {api_key}x").get(LIST))
    assert "keys start with" in refused(client_with("Bearer sk_live_123").get(LIST))


def test_a_revoked_key_and_an_inactive_consumer_are_refused(api, api_key, consumer):
    assert api.get(LIST).status_code == 200
    key = ApiKey.objects.get(key_hash=hash_key(api_key))
    revoke_api_key(key=key)
    assert "revoked" in refused(api.get(LIST))

    other = create_api_key(consumer=consumer).secret
    consumer.is_active = False
    consumer.save()
    assert "suspended" in refused(client_with(f"Bearer {other}").get(LIST))


def test_keys_are_stored_only_as_hashes(consumer):
    made = create_api_key(consumer=consumer, label="Web")
    key = ApiKey.objects.get(pk=made.key.pk)
    assert made.secret.startswith(key.prefix + "_")
    assert len(made.secret) > 50
    assert key.key_hash == hash_key(made.secret)
    stored = [str(value) for value in ApiKey.objects.filter(pk=key.pk).values().get().values()]
    assert made.secret not in stored


def test_create_api_key_command_prints_the_key_once(db):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", "Clinic Systems Ltd", email="it@clinic.example", stdout=out,
                 stderr=err)  # fmt: skip
    secret = out.getvalue().strip()
    consumer = ApiConsumer.objects.get(name="Clinic Systems Ltd")
    key = consumer.keys.get()
    assert key.key_hash == hash_key(secret)
    assert "shown only now" in err.getvalue()
    assert client_with(f"Bearer {secret}").get(LIST).status_code == 200

    with pytest.raises(CommandError, match="--email"):
        call_command("create_api_key", "Nobody Yet", stdout=StringIO(), stderr=StringIO())


def test_rate_limit_answers_429_with_retry_after(api, api_key):
    key = ApiKey.objects.get(key_hash=hash_key(api_key))
    key.rate_limit_per_minute = 3
    key.save()
    answers = [api.get(LIST) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    assert answers[2]["X-RateLimit-Remaining"] == "0"
    limited = answers[3]
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "3 requests a minute" in limited.json()["error"]

    # Each key has its own counter.
    other = create_api_key(consumer=key.consumer).secret
    assert client_with(f"Bearer {other}").get(LIST).status_code == 200


def test_the_limit_is_the_consumers_unless_the_key_sets_one(consumer):
    consumer.rate_limit_per_minute = 2
    consumer.save()
    api = client_with(f"Bearer {create_api_key(consumer=consumer).secret}")
    assert [api.get(LIST).status_code for _ in range(3)] == [200, 200, 429]


def test_a_cache_that_fails_lifts_the_limit_rather_than_refusing(api, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(healthsite.cache, "_failed_at", None)  # restored afterwards
    monkeypatch.setattr(cache, "incr", broken)
    monkeypatch.setattr(cache, "add", broken)
    response = api.get(LIST)
    assert response.status_code == 200
    assert "X-RateLimit-Remaining" not in response


def test_usage_is_counted_per_key_per_month(api, api_key, consumer):
    ArticleFactory()
    for _ in range(3):
        api.get(LIST)
    api.get("/api/v1/articles/999999")  # a 404 is a request answered too
    client_with("Bearer hsk_wrong").get(LIST)  # refused: nobody's
    key = ApiKey.objects.get(key_hash=hash_key(api_key))
    flush_usage()
    usage = ApiUsage.objects.get(key=key)
    assert usage.requests == 4
    assert usage.month.day == 1

    record_request(key, on=datetime.date(2026, 2, 14))
    flush_usage()
    assert ApiUsage.objects.get(key=key, month=datetime.date(2026, 2, 1)).requests == 1
    assert ApiUsage.objects.filter(key=key).count() == 2


def test_editors_see_usage_in_the_admin(client, api, api_key, consumer):
    api.get(LIST)
    api.get(LIST)
    flush_usage()
    editor = role_user("Editor")
    client.force_login(editor)
    page = client.get("/admin/api/apiusage/")
    assert page.status_code == 200
    assert consumer.name in page.content.decode()
    consumers = client.get("/admin/api/apiconsumer/")
    assert consumers.status_code == 200
    assert "requests this month" in consumers.content.decode().lower()


def test_a_key_made_in_the_admin_is_shown_once(client, consumer):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/api/apikey/add/",
        {
            "consumer": consumer.pk,
            "label": "Android app",
            "rate_limit_per_minute": "",
            "usage-TOTAL_FORMS": "0",
            "usage-INITIAL_FORMS": "0",
        },  # fmt: skip
        follow=True,
    )
    assert response.status_code == 200
    key = consumer.keys.get(label="Android app")
    shown = [str(m) for m in response.context["messages"]]
    secret = next(s for s in shown if key.prefix in s).split("<code>")[1].split("</code>")[0]
    assert key.key_hash == hash_key(secret)
    assert client_with(f"Bearer {secret}").get(LIST).status_code == 200
    change_page = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert secret not in change_page

    client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client_with(f"Bearer {secret}").get(LIST).status_code == 401


def usage_of(key, month=None):
    month = month or usage.month_of(datetime.date.today())
    row = ApiUsage.objects.filter(key=key, month=month).first()
    return row.requests if row else 0


def test_usage_is_written_in_batches_and_counted_exactly(api, api_key, consumer, monkeypatch):
    monkeypatch.setattr(usage, "FLUSH_REQUESTS", 5)
    key = ApiKey.objects.get(key_hash=hash_key(api_key))
    other = create_api_key(consumer=consumer)
    other_api = client_with(f"Bearer {other.secret}")
    for _ in range(4):
        api.get(LIST)
    assert usage_of(key) == 0 and pending_requests() == 4  # not written yet
    other_api.get(LIST)  # the fifth request in this process writes all five
    assert pending_requests() == 0
    assert (usage_of(key), usage_of(other.key)) == (4, 1)

    for _ in range(12):
        api.get(LIST)
    assert usage_of(key) == 14 and pending_requests() == 2
    flush_usage()
    assert usage_of(key) == 16

    # A batch adds to the row, whatever another process wrote meanwhile.
    ApiUsage.objects.filter(key=key).update(requests=100)
    api.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        flush_usage()
    assert [q["sql"].split()[0] for q in queries if "api_apiusage" in q["sql"]] == ["UPDATE"]
    assert usage_of(key) == 101


def test_usage_is_written_by_a_timer_when_requests_stop(api, api_key, monkeypatch):
    written = []
    monkeypatch.setattr(usage, "_add_to_rows", written.append)  # the timer's own thread
    monkeypatch.setattr(usage, "FLUSH_SECONDS", 0.05)
    api.get(LIST)
    api.get(LIST)
    timer = usage._timer
    timer.join(5)
    key = ApiKey.objects.get(key_hash=hash_key(api_key))
    assert written == [{(key.pk, usage.month_of(datetime.date.today())): 2}]
    assert pending_requests() == 0 and usage._timer is None


def test_a_write_that_fails_keeps_its_counts_for_the_next(api, api_key, monkeypatch):
    from django.db import DatabaseError

    key = ApiKey.objects.get(key_hash=hash_key(api_key))
    api.get(LIST)
    real = usage._add_to_rows

    def broken(counts):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(usage, "_add_to_rows", broken)
    flush_usage()
    assert pending_requests() == 1
    api.get(LIST)
    monkeypatch.setattr(usage, "_add_to_rows", real)
    flush_usage()
    assert usage_of(key) == 2


def test_usage_is_counted_while_the_cache_is_down(api, api_key, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(healthsite.cache, "_failed_at", None)
    for operation in ("get", "set", "add", "incr", "delete", "get_many", "set_many"):
        monkeypatch.setattr(cache, operation, broken)
    for _ in range(3):
        assert api.get(LIST).status_code == 200
    flush_usage()
    assert usage_of(ApiKey.objects.get(key_hash=hash_key(api_key))) == 3


def test_a_deleted_key_leaves_no_count_behind(consumer):
    made = create_api_key(consumer=consumer)
    record_request(made.key)
    ApiKey.objects.filter(pk=made.key.pk).delete()
    flush_usage()
    assert pending_requests() == 0
    assert not ApiUsage.objects.exists()


def test_a_high_limit_is_counted_in_slices_and_never_exceeded(consumer, monkeypatch):
    from api import limits

    key = create_api_key(consumer=consumer).key
    key.rate_limit_per_minute = 1050  # slices of 10 requests
    incrs = []
    real_incr = healthsite.cache.incr
    monkeypatch.setattr(
        healthsite.cache, "incr", lambda name: incrs.append(name) or real_incr(name)
    )
    minute = 60 * 29_000_000
    left = [limits.check_rate_limit(key, now=minute + 1) for _ in range(25)]
    assert left[:3] == [1049, 1048, 1047] and left[-1] == 1025
    assert len(incrs) == 3  # one cache write per 10 requests

    # Another process takes slices of the same minute from the shared counter: the rest of
    # the first process's third slice is still that process's.
    first_process = limits._slices
    monkeypatch.setattr(limits, "_slices", {})

    def answered(at):
        count = 0
        while True:
            try:
                limits.check_rate_limit(key, now=at)
            except limits.RateLimited as refused:
                return count, refused.retry_after
            count += 1

    assert answered(minute + 2) == (1050 - 30, 58)
    monkeypatch.setattr(limits, "_slices", first_process)
    assert answered(minute + 3) == (5, 57)  # 1050 in all, never more
    assert limits.check_rate_limit(key, now=minute + 61) == 1049  # a new minute


def test_limits_below_200_a_minute_are_counted_request_by_request():
    from api.limits import slice_size

    assert [slice_size(n) for n in (1, 60, 199, 200, 1050, 10**9)] == [1, 1, 1, 2, 10, 100]


def key_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/sources")
    return response, [q for q in queries if "api_apikey" in q["sql"]]


def test_a_key_is_checked_from_the_cache_and_refused_at_once_when_revoked(api, api_key):
    assert key_queries(api)[0].status_code == 200
    response, queries = key_queries(api)
    assert response.status_code == 200 and queries == []  # the cached copy

    revoke_api_key(key=ApiKey.objects.get(key_hash=hash_key(api_key)))
    response, queries = key_queries(api)
    assert "revoked" in refused(response)
    assert len(queries) == 1  # read again from the database


def test_a_suspended_partner_and_a_new_limit_take_effect_at_once(api, api_key, consumer):
    key_queries(api)
    consumer.rate_limit_per_minute = 1  # and this minute's one request is made
    consumer.save()
    assert api.get(LIST).status_code == 429
    consumer.is_active = False
    consumer.save()
    assert "suspended" in refused(api.get(LIST))


def test_a_copy_read_before_a_change_is_not_cached_after_it(api_key, consumer):
    from api import keys

    key = ApiKey.objects.select_related("consumer").get(key_hash=hash_key(api_key))
    revoke_api_key(key=ApiKey.objects.get(pk=key.pk))
    # A process that read the key before the revocation tries to cache its copy.
    assert not healthsite.cache.add(f"api-key:{key.key_hash}", key, 60)
    assert keys._cached_key(key.key_hash).revoked_at is not None


def test_keys_are_checked_in_the_database_while_the_cache_is_down(api, api_key, monkeypatch):
    key_queries(api)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(healthsite.cache, "_failed_at", None)
    for operation in ("get", "set", "add", "incr"):
        monkeypatch.setattr(cache, operation, broken)
    response, queries = key_queries(api)
    assert response.status_code == 200 and len(queries) == 1
    assert "not known" in refused(client_with(f"Bearer {api_key}x").get(LIST))
