"""Readers' "Was this helpful?" answers in the admin: a read-only list, and on the article
admin the share of "yes" with the count and the latest comments."""

from django.contrib import admin
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, NullIf
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles.models import Feedback

RECENT_COMMENTS = 5


def _feedback_count(**filters):
    counted = (
        Feedback.objects.filter(article=OuterRef("pk"), **filters)
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ReaderFeedbackAdminMixin:
    """For ArticleAdmin: a "Helpful" column (subqueries, no query per row) and a "Reader
    feedback" fieldset on the change page with the share of yes and the latest comments."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _feedback_count=_feedback_count(), _feedback_yes=_feedback_count(helpful=True)
            )
            .annotate(
                _feedback_share=Cast("_feedback_yes", FloatField())
                / NullIf(F("_feedback_count"), 0)
            )
        )

    def get_list_display(self, request):
        return [*super().get_list_display(request), "helpful_share"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.pk:
            fieldsets.append(
                ("Reader feedback", {"fields": ["helpful_share", "recent_feedback_comments"]})
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "helpful_share",
            "recent_feedback_comments",
        ]

    @admin.display(description="Helpful", ordering="_feedback_share")
    def helpful_share(self, article):
        count = getattr(article, "_feedback_count", 0)
        if not count:
            return "None yet"
        share = round(100 * article._feedback_yes / count)
        return f"{share}% yes ({count} answer{'' if count == 1 else 's'})"

    @admin.display(description="Latest comments")
    def recent_feedback_comments(self, article):
        recent = article.feedback.exclude(comment="").order_by("-created_at", "-pk")[
            :RECENT_COMMENTS
        ]
        items = format_html_join(
            "",
            "<li><strong>{}</strong> · {}: {}</li>",
            (
                (
                    "Yes" if feedback.helpful else "No",
                    timezone.localtime(feedback.created_at).strftime("%d %b %Y %H:%M"),
                    feedback.comment,
                )
                for feedback in recent
            ),
        )
        if not items:
            return "No comments yet"
        listing = format_html('<ul class="feedback-comments">{}</ul>', items)
        link = getattr(article, "_feedback_list_url", None)
        return (
            format_html('{}<a href="{}">All feedback on this article</a>', listing, link)
            if link
            else listing
        )

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is not None and self.admin_site.is_registered(Feedback):
            feedback_admin = self.admin_site.get_model_admin(Feedback)
            if feedback_admin.has_view_permission(request):
                article._feedback_list_url = (
                    reverse("admin:articles_feedback_changelist")
                    + f"?article__id__exact={article.pk}"
                )
        return article


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: readers' answers are evidence, not content; only deleting (abuse) is
    allowed. The client hash is never shown."""

    list_display = ["article", "helpful", "comment_excerpt", "created_at"]
    list_filter = ["helpful", "created_at"]
    list_select_related = ["article"]
    search_fields = ["comment", "article__title"]
    date_hierarchy = "created_at"
    fields = ["article", "version", "helpful", "comment", "created_at"]
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description="Comment")
    def comment_excerpt(self, feedback):
        return truncatechars(feedback.comment, 120) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
