"""Partners of the content API: consumers, their keys, their monthly usage, and the webhooks
they registered with the log of every delivery."""

import secrets
import uuid

from django.db import models
from django.db.models import Q

from articles.models import Article, HttpsURLField


class ApiConsumer(models.Model):
    """A partner organisation that may read the content API."""

    name = models.CharField(max_length=200, unique=True, help_text="The organisation's name.")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(
        help_text="Who we tell about changes to the API or their keys."
    )
    attribution = models.CharField(
        "attribution text",
        max_length=300,
        blank=True,
        help_text=(
            "What the partner must show beside our content, e.g. “Medically reviewed content "
            "from healthsite”. Every response names it. Empty: the site's standard text "
            "(HEALTHSITE_API_ATTRIBUTION)."
        ),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        "requests per minute",
        default=60,
        help_text="How many requests each of the partner's keys may make in a minute; "
        "a key may set its own.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="An inactive partner's keys are refused."
    )
    notes = models.TextField(
        blank=True, help_text="Agreement, licence terms, anything editors need."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API consumer"
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_limit_per_minute__gte=1), name="api_consumer_rate_limit_positive"
            ),
        ]

    def __str__(self):
        return self.name


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        """Keys that open the API: not revoked, of an active consumer."""
        return self.filter(revoked_at__isnull=True, consumer__is_active=True)


class ApiKey(models.Model):
    """A secret a consumer sends as ``Authorization: Bearer <key>``. Only its SHA-256 is
    stored; the key itself is shown once, when it is made (api/keys.py)."""

    consumer = models.ForeignKey(ApiConsumer, on_delete=models.CASCADE, related_name="keys")
    label = models.CharField(
        max_length=100, blank=True, help_text="Which app or server uses it, e.g. “iOS app”."
    )
    prefix = models.CharField(
        max_length=16,
        unique=True,
        editable=False,
        help_text="The key's first characters, to tell keys apart; not a secret.",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField(
        "requests per minute",
        null=True,
        blank=True,
        help_text="Empty: the consumer's limit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_limit_per_minute__isnull=True) | Q(rate_limit_per_minute__gte=1),
                name="api_key_rate_limit_positive",
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.label or self.consumer})"

    @property
    def rate_limit(self) -> int:
        return self.rate_limit_per_minute or self.consumer.rate_limit_per_minute

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiUsage(models.Model):
    """How many requests a key made in a month (api/limits.py counts them)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    month = models.DateField(help_text="The first day of the month.")
    requests = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-month", "key"]
        verbose_name = "API usage"
        verbose_name_plural = "API usage"
        constraints = [
            models.UniqueConstraint(fields=["key", "month"], name="api_usage_one_row_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="api_usage_month_first_day"),
        ]

    def __str__(self):
        return f"{self.key} {self.month:%B %Y}: {self.requests}"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL of a consumer's that is told when an article is published, unpublished or
    re-reviewed."""

    consumer = models.ForeignKey(ApiConsumer, on_delete=models.CASCADE, related_name="webhooks")
    url = HttpsURLField(
        "URL", max_length=500, help_text="Where we POST the notice; https in production."
    )
    secret = models.CharField(
        max_length=100,
        default=new_webhook_secret,
        help_text="Shared with the partner: each delivery is signed with it (HMAC-SHA256).",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consumer", "url"]
        verbose_name = "webhook"
        constraints = [
            models.UniqueConstraint(fields=["consumer", "url"], name="webhook_url_unique"),
        ]

    def __str__(self):
        return self.url


class WebhookEvent(models.TextChoices):
    PUBLISHED = "article.published", "Article published"
    REVIEWED = "article.reviewed", "Article re-reviewed, no changes"
    UNPUBLISHED = "article.unpublished", "Article unpublished"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


class WebhookDelivery(models.Model):
    """One notice to one endpoint, written in the transaction that made the change and sent
    by ``manage.py send_webhooks`` (api/webhooks.py), retried with backoff."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(help_text="The JSON sent, exactly as signed.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(event__in=WebhookEvent.values), name="webhook_delivery_event_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: the receiver's answer, or why there was none."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "pk"]

    def __str__(self):
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
