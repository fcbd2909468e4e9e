"""Medical reviewers in the admin: their profiles, photos and private calendar links."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import format_html

from editorial.calendar_feed import new_calendar_link, revoke_calendar_link
from editorial.models import CalendarLink
from healthsite.admin_lookups import ListedLookupsOnly
from images.checks import ImageUploadField
from images.renditions import refresh_photo_renditions
from reviewers.models import Reviewer


@admin.register(Reviewer)
class ReviewerAdmin(ListedLookupsOnly, admin.ModelAdmin):
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
        link = CalendarLink.objects.filter(reviewer=reviewer).first()
        made = (
            f"A private calendar link was made on {date_format(link.created_at, 'j F Y')}. "
            "It is shown only once, when it is made."
            if link
            else "No calendar link yet."
        )
        return format_html(
            '{} <a href="{}">Make a new calendar link</a>',
            made,
            reverse("admin:reviewers_reviewer_calendar_link", args=[reviewer.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/calendar-link/",
                self.admin_site.admin_view(self.calendar_link_view),
                name="reviewers_reviewer_calendar_link",
            ),
            *super().get_urls(),
        ]

    def calendar_link_view(self, request, object_id):
        """A reviewer's private calendar link: made on a POST and shown that once."""
        reviewer = self.get_object(request, object_id)
        if reviewer is None:
            raise Http404("No reviewer with that ID.")
        if not self._sees_calendar_of(request, reviewer):
            raise PermissionDenied("Only the reviewer and editors can make their calendar link.")
        made = None
        if request.method == "POST":
            made = request.build_absolute_uri(
                new_calendar_link(reviewer=reviewer, made_by=request.user)
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Calendar link: {reviewer.name}",
            "opts": self.opts,
            "reviewer": reviewer,
            "link": CalendarLink.objects.filter(reviewer=reviewer).first(),
            "made": made,
        }
        response = TemplateResponse(request, "editorial/calendar_link.html", context)
        add_never_cache_headers(response)  # the secret is never kept by a cache
        return response

    def has_reset_calendar_permission(self, request):
        return (
            request.user.has_perm("reviewers.change_reviewer")
            or Reviewer.objects.filter(user=request.user).exists()
        )

    @admin.action(description="Stop calendar links working", permissions=["reset_calendar"])
    def reset_calendar_link(self, request, queryset):
        if not request.user.has_perm("reviewers.change_reviewer"):
            queryset = queryset.filter(user=request.user)  # reviewers reset only their own
        revoked = [reviewer for reviewer in queryset if revoke_calendar_link(reviewer=reviewer)]
        if not revoked:
            self.message_user(
                request,
                "None of these reviewers had a calendar link you may stop.",
                messages.WARNING,
            )
            return
        names = ", ".join(reviewer.name for reviewer in revoked)
        self.message_user(
            request,
            f"The calendar links of {names} have stopped working. Each can make a new one "
            "from their page in the admin.",
            messages.SUCCESS,
        )
