"""Webhooks against a local receiver: a notice per change, written with the change and sent
after it commits, signed, retried with backoff, and logged."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiConsumer, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from api.webhooks import BACKOFF, MAX_ATTEMPTS, send_due
from articles.models import Article
from editorial.models import Decision
from editorial.services import decide_review, submit_for_review, unpublish
from tests.factories import (
    ArticleFactory,
    UserFactory,
    cited_article,
    republish,
    reviewer_with_account,
    role_user,
)
from tests.signatures import signed

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's webhook receiver on 127.0.0.1: records each POST, answers with the next
    status in ``answers`` (then 200)."""

    def __init__(self):
        self.received = []
        self.answers = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/healthsite"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(receiver):
    consumer = ApiConsumer.objects.create(name="Partner", contact_email="dev@partner.example")
    return WebhookEndpoint.objects.create(consumer=consumer, url=receiver.url)


def verify(secret, headers, body):
    expected = hmac.new(
        secret.encode(), f"{headers['X-Healthsite-Timestamp']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers["X-Healthsite-Signature"], f"sha256={expected}")


def test_publication_sends_a_signed_notice_after_commit(endpoint, receiver, settings):
    settings.SITE_URL = "https://health.example.org"
    article = cited_article(title="Sleep basics")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "article.published"
    assert receiver.received == [], "nothing is sent while the editor waits"

    assert send_due() == {"delivered": 1, "retrying": 0, "failed": 0}
    ((headers, body),) = receiver.received
    assert verify(endpoint.secret, headers, body)
    assert not verify("another-secret", headers, body)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Healthsite-Event"] == "article.published"
    assert headers["X-Healthsite-Delivery"] == str(delivery.uuid)
    notice = json.loads(body)
    assert notice["event"] == "article.published"
    assert notice["id"] == str(delivery.uuid)
    assert notice["article"]["id"] == article.pk
    assert notice["article"]["title"] == "Sleep basics"
    assert notice["article"]["url"] == f"https://health.example.org{article.get_absolute_url()}"
    assert (
        notice["article"]["api_url"] == f"https://health.example.org/api/v1/articles/{article.pk}"
    )

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert [a.status_code for a in delivery.log.all()] == [200]
    assert send_due() == {"delivered": 0, "retrying": 0, "failed": 0}, "sent once"


def test_unpublication_and_a_re_review_are_told_too(endpoint, receiver):
    article = cited_article()
    unpublish(article=article, user=role_user("Editor"), reason="Outdated")
    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["article.published", "article.unpublished"]

    reviewer = reviewer_with_account()
    live = cited_article()
    editor = role_user("Editor")
    review = submit_for_review(article=live, reviewer=reviewer, requested_by=editor)
    decide_review(review_request=review, user=reviewer.user, decision=Decision.APPROVED,
                  **signed(review, reviewer.user))  # fmt: skip
    assert WebhookDelivery.objects.filter(article=live).order_by("pk").last().event == (
        "article.reviewed"
    )
    send_due()
    assert [json.loads(b)["event"] for _h, b in receiver.received] == [
        "article.published", "article.unpublished", "article.published", "article.reviewed",
    ]  # fmt: skip


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(endpoint, receiver):
    ArticleFactory()
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [500] * MAX_ATTEMPTS
    now = timezone.now()
    for attempt, wait in enumerate(BACKOFF, start=1):
        assert send_due(now=now) == {"delivered": 0, "retrying": 1, "failed": 0}
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.next_attempt_at == now + wait
        assert send_due(now=now + wait - datetime.timedelta(seconds=1))["retrying"] == 0
        now += wait
    assert send_due(now=now) == {"delivered": 0, "retrying": 0, "failed": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    log = list(delivery.log.all())
    assert len(log) == MAX_ATTEMPTS
    assert {a.error for a in log} == {"Answered 500; expected 2xx"}


def test_a_receiver_that_recovers_gets_the_notice(endpoint, receiver):
    ArticleFactory()
    receiver.answers = [503]
    now = timezone.now()
    send_due(now=now)
    assert send_due(now=now + BACKOFF[0]) == {"delivered": 1, "retrying": 0, "failed": 0}
    delivery = WebhookDelivery.objects.get()
    assert [a.status_code for a in delivery.log.all()] == [503, 200]
    bodies = [body for _headers, body in receiver.received]
    assert bodies[0] == bodies[1], "a retry sends the same notice, with the same id"


def test_a_receiver_that_is_down_never_fails_the_editors_action(db):
    consumer = ApiConsumer.objects.create(name="Partner", contact_email="dev@partner.example")
    WebhookEndpoint.objects.create(consumer=consumer, url="http://127.0.0.1:9/closed")
    article = cited_article()
    unpublish(article=article, user=role_user("Editor"), reason="Outdated")
    assert Article.objects.get(pk=article.pk).status == "unpublished"
    out = StringIO()
    call_command("send_webhooks", stdout=out)
    assert "2 to retry" in out.getvalue()
    assert all(
        attempt.error.startswith("Could not connect")
        for delivery in WebhookDelivery.objects.all()
        for attempt in delivery.log.all()
    )


def test_inactive_endpoints_and_consumers_are_not_told(endpoint):
    endpoint.is_active = False
    endpoint.save()
    ArticleFactory()
    endpoint.is_active = True
    endpoint.save()
    endpoint.consumer.is_active = False
    endpoint.consumer.save()
    republish(Article.objects.get())
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_is_in_the_admin(client, endpoint, receiver):
    article = ArticleFactory(title="Hay fever")
    receiver.answers = [500]
    send_due()
    delivery = WebhookDelivery.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/api/webhookdelivery/").content.decode()
    assert "Hay fever" in listing
    page = client.get(f"/admin/api/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "Answered 500; expected 2xx" in page

    client.post("/admin/api/webhookdelivery/",
                {"action": "retry_now", "_selected_action": [delivery.pk]})  # fmt: skip
    assert send_due()["delivered"] == 1
    assert article.pk == json.loads(receiver.received[-1][1])["article"]["id"]


def test_a_change_that_is_rolled_back_tells_nobody(endpoint):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        ArticleFactory()
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the publication failed")
    assert not WebhookDelivery.objects.exists()
