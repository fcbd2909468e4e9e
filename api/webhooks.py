"""Webhooks: partners are told when an article is published, re-reviewed or unpublished.

A change writes one WebhookDelivery per active endpoint in the transaction that makes it
(articles.signals.publication_changed), so a notice exists exactly when the change
committed, and the editor's action never waits for, or fails with, a partner's server.
``manage.py send_webhooks``, run every minute by cron, sends what is due: a JSON POST signed
with the endpoint's secret, logged as a WebhookAttempt. A delivery that fails (no answer
within WEBHOOK_TIMEOUT_SECONDS, or any status but 2xx) is tried again after BACKOFF: 1 min,
5 min, 30 min, 2 h, 6 h and 24 h, then marked failed (an editor can send it again from the
admin).

Signature: ``X-Healthsite-Signature: sha256=<hex>``, the HMAC-SHA256, keyed with the
endpoint's secret, of ``<X-Healthsite-Timestamp>.<body>``; a receiver recomputes it and
rejects an old timestamp, so a captured delivery cannot be replayed later (docs/api.md).
"""

import datetime
import hashlib
import hmac
import json
import time
import uuid

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from api.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from articles.models import Article
from articles.signals import publication_changed

BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
WEBHOOK_TIMEOUT_SECONDS = 10
EVENTS = {
    "published": WebhookEvent.PUBLISHED,
    "reviewed": WebhookEvent.REVIEWED,
    "unpublished": WebhookEvent.UNPUBLISHED,
}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def notice_body(*, delivery_id: uuid.UUID, event: str, article: Article, at) -> str:
    version = article.live_version
    return json.dumps(
        {
            "id": str(delivery_id),
            "event": event,
            "occurred_at": at.isoformat(),
            "article": {
                "id": article.pk,
                "title": version.title,
                "language": version.language,
                "url": _absolute(version.get_absolute_url()),
                "api_url": _absolute(reverse("api:article", kwargs={"article_id": article.pk})),
                "version": version.number,
                "last_reviewed_on": version.reviewed_on.isoformat(),
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def queue_notices(*, article_id: int, event: str) -> list[WebhookDelivery]:
    """Write a delivery of the event for every active endpoint (in the caller's transaction)."""
    endpoints = list(
        WebhookEndpoint.objects.filter(is_active=True, consumer__is_active=True).only("pk")
    )
    if not endpoints:
        return []
    article = Article.objects.select_related("live_version").get(pk=article_id)
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        delivery_id = uuid.uuid4()
        deliveries.append(
            WebhookDelivery(
                uuid=delivery_id,
                endpoint=endpoint,
                event=EVENTS[event],
                article=article,
                body=notice_body(
                    delivery_id=delivery_id, event=EVENTS[event], article=article, at=now
                ),
                created_at=now,
                next_attempt_at=now,
            )
        )
    return WebhookDelivery.objects.bulk_create(deliveries)


def signature(secret: str, timestamp: int, body: str) -> str:
    message = f"{timestamp}.{body}".encode()
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _post(client: httpx.Client, delivery: WebhookDelivery) -> tuple[int | None, str]:
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME}-webhooks/1",
        "X-Healthsite-Event": delivery.event,
        "X-Healthsite-Delivery": str(delivery.uuid),
        "X-Healthsite-Timestamp": str(timestamp),
        "X-Healthsite-Signature": signature(delivery.endpoint.secret, timestamp, delivery.body),
    }
    try:
        response = client.post(
            delivery.endpoint.url, content=delivery.body.encode(), headers=headers
        )
    except httpx.TimeoutException:
        return None, f"No answer within {WEBHOOK_TIMEOUT_SECONDS} s"
    except httpx.HTTPError as error:
        return None, f"Could not connect: {error}"[:300]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"Answered {response.status_code}; expected 2xx"


def attempt_delivery(delivery: WebhookDelivery, *, client: httpx.Client, now=None) -> None:
    """Send one delivery, log the attempt and schedule the next one if it failed."""
    started = time.monotonic()
    status_code, error = _post(client, delivery)
    now = now or timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    delivery.attempts += 1
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])


def send_due(*, now=None, limit: int = 500) -> dict[str, int]:
    """Send every delivery that is due; returns how many were delivered and failed. Runs
    that overlap skip each other's deliveries (on PostgreSQL, SKIP LOCKED)."""
    now = now or timezone.now()
    outcome = {"delivered": 0, "retrying": 0, "failed": 0}
    due = WebhookDelivery.objects.due(now=now).order_by("next_attempt_at", "pk")
    pks = list(due.values_list("pk", flat=True)[:limit])
    skip_locked = connection.features.has_select_for_update_skip_locked
    with httpx.Client(timeout=WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client:
        for pk in pks:
            with transaction.atomic():
                delivery = (
                    WebhookDelivery.objects.select_for_update(skip_locked=skip_locked)
                    .select_related("endpoint")
                    .filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                    .first()
                )
                if delivery is None:
                    continue  # sent by an overlapping run
                attempt_delivery(delivery, client=client, now=now)
            if delivery.status == DeliveryStatus.DELIVERED:
                outcome["delivered"] += 1
            elif delivery.status == DeliveryStatus.FAILED:
                outcome["failed"] += 1
            else:
                outcome["retrying"] += 1
    return outcome


def publication_changed_receiver(sender, article_id, event, **kwargs):
    queue_notices(article_id=article_id, event=event)


def connect() -> None:
    """Connect the receiver (ApiConfig.ready)."""
    publication_changed.connect(publication_changed_receiver, dispatch_uid="api-webhooks")
