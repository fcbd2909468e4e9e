"""The content API in the admin: partners and their keys (a new key is shown once, on the
page after it is made), monthly usage, webhooks and the log of every delivery."""

from django.contrib import admin, messages
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.html import format_html

from api.keys import create_api_key, revoke_api_key
from api.models import (
    ApiConsumer,
    ApiKey,
    ApiUsage,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from api.usage import month_of


def _this_month():
    return month_of(timezone.localdate())


class KeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ("prefix", "label", "rate_limit_per_minute", "created_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "revoked_at")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # a key is made on its own page, which shows it once


class WebhookInline(admin.TabularInline):
    model = WebhookEndpoint
    extra = 0
    fields = ("url", "secret", "is_active", "created_at")
    readonly_fields = ("created_at",)


@admin.register(ApiConsumer)
class ApiConsumerAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_email", "rate_limit_per_minute", "is_active", "this_month")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_name", "contact_email")
    inlines = [KeyInline, WebhookInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(month_requests=Sum("keys__usage__requests", filter=_month_filter()))
        )

    @admin.display(description="requests this month", ordering="month_requests")
    def this_month(self, consumer):
        return consumer.month_requests or 0


def _month_filter():
    return Q(keys__usage__month=_this_month())


class UsageInline(admin.TabularInline):
    model = ApiUsage
    extra = 0
    can_delete = False
    fields = ("month", "requests")
    readonly_fields = ("month", "requests")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "consumer", "label", "created_at", "revoked_at", "is_usable")
    list_filter = ("consumer", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("consumer",)
    search_fields = ("prefix", "label", "consumer__name")
    autocomplete_fields = ("consumer",)
    inlines = [UsageInline]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("consumer", "label", "rate_limit_per_minute")
        return ("consumer", "prefix", "label", "rate_limit_per_minute", "created_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("consumer", "prefix", "created_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the key's usage history stays

    @admin.display(description="usable", boolean=True)
    def is_usable(self, key):
        return key.revoked_at is None and key.consumer.is_active

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        made = create_api_key(consumer=obj.consumer, label=obj.label)
        if obj.rate_limit_per_minute:
            made.key.rate_limit_per_minute = obj.rate_limit_per_minute
            made.key.save(update_fields=["rate_limit_per_minute"])
        obj.pk = made.key.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            format_html(
                "The new key for {} is <code>{}</code>. Copy it now and send it to them "
                "securely: it is stored only as a hash and will not be shown again.",
                obj.consumer,
                made.secret,
            ),
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            revoke_api_key(key=key)
        self.message_user(request, f"Revoked {len(keys)} key(s); they stop working at once.")


@admin.register(ApiUsage)
class ApiUsageAdmin(admin.ModelAdmin):
    list_display = ("month", "consumer", "key", "requests")
    list_filter = ("month", "key__consumer")
    list_select_related = ("key__consumer",)
    date_hierarchy = "month"

    @admin.display(description="consumer", ordering="key__consumer__name")
    def consumer(self, usage):
        return usage.key.consumer

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at", "event", "article", "endpoint", "status", "attempts", "next_attempt_at",
        "delivered_at",
    )  # fmt: skip
    list_filter = ("status", "event", "endpoint__consumer")
    list_select_related = ("endpoint", "article")
    readonly_fields = (
        "uuid", "endpoint", "event", "article", "body", "status", "attempts", "created_at",
        "next_attempt_at", "delivered_at",
    )  # fmt: skip
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again on the next run of send_webhooks",
                  permissions=["change"])  # fmt: skip
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=DeliveryStatus.DELIVERED).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} delivery(ies) will be sent on the next run.")
