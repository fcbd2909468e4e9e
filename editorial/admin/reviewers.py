"""Medical reviewers in the admin: their profiles, photos and private calendar links."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.html import format_html

from editorial.calendar_feed import feed_path, reset_calendar_token
from images.checks import ImageUploadField
from images.renditions import refresh_photo_renditions
from reviewers.models import Reviewer


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    ordering = ["name"]
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
    list_display = ["name", "credentials", "specialty", "is_active", "user", "article_count"]
    list_filter = ["is_active", "specialty"]
    search_fields = ["name", "credentials", "specialty"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    readonly_fields = ["photo_preview", "calendar_feed_url"]
    actions = ["reset_calendar_link"]
    fields = ["name", "slug", "credentials", "specialty", "bio", "photo", "photo_preview",
              "user", "is_active"]  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(_article_count=Count("reviewed_articles"))
        )

    @admin.display(description="Articles reviewed", ordering="_article_count")
    def article_count(self, reviewer):
        return reviewer._article_count

    @admin.display(description="Preview")
    def photo_preview(self, reviewer):
        if not reviewer.photo:
            return "No photo"
        return format_html('<img src="{}" alt="" width="160">', reviewer.photo.url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_photo_renditions(reviewer=obj)

    def _sees_calendar_of(self, request, reviewer):
        return reviewer.user_id == request.user.pk or request.user.has_perm(
            "reviewers.change_reviewer"
        )

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and self._sees_calendar_of(request, obj):
            fields.append("calendar_feed_url")
        return fields

    @admin.display(description="Calendar feed")
    def calendar_feed_url(self, reviewer):
        path = feed_path(reviewer)
        return format_html(
            '<a href="{}">{}</a><div class="help">Review due dates as a calendar: copy this '
            "link (right-click, Copy link) and add it to your calendar app as a subscription "
            "(Google Calendar: Add calendar, From URL; Apple Calendar: New Calendar "
            "Subscription; Outlook: Subscribe from web). Keep it private: anyone with the "
            "link can see these dates. If it is shared by mistake, use the Reset calendar "
            "link action on the list of reviewers.</div>",
            path,
            path,
        )

    def has_reset_calendar_permission(self, request):
        return (
            request.user.has_perm("reviewers.change_reviewer")
            or Reviewer.objects.filter(user=request.user).exists()
        )

    @admin.action(description="Reset calendar link", permissions=["reset_calendar"])
    def reset_calendar_link(self, request, queryset):
        if not request.user.has_perm("reviewers.change_reviewer"):
            queryset = queryset.filter(user=request.user)  # reviewers reset only their own
        reset = [reset_calendar_token(reviewer=reviewer) for reviewer in queryset]
        if not reset:
            self.message_user(
                request, "You can reset only your own calendar link.", messages.WARNING
            )
            return
        names = ", ".join(reviewer.name for reviewer in reset)
        self.message_user(
            request,
            f"New calendar link for {names}. The old link has stopped working; subscribe "
            "again with the new link shown on the reviewer's page.",
            messages.SUCCESS,
        )
