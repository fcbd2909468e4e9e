"""Readers' answers in the admin: a read-only list. Feedback is evidence, not content."""

from django.contrib import admin
from django.template.defaultfilters import truncatechars

from feedback.models import Feedback
from feedback.summary import may_read_feedback
from healthsite.admin_lookups import ListedLookupsOnly


@admin.register(Feedback)
class FeedbackAdmin(ListedLookupsOnly, admin.ModelAdmin):
    """Read-only: readers' answers are evidence, not content; only deleting (abuse) is
    allowed. The client hash is never shown."""

    list_display = ["article", "helpful", "comment_excerpt", "created_at"]
    list_filter = ["helpful", "created_at"]
    extra_lookups = ("article",)  # the article admin links to its article's feedback
    list_select_related = ["article"]
    search_fields = ["comment", "article__title"]
    date_hierarchy = "created_at"
    fields = ["article", "version", "helpful", "comment", "created_at"]
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description="Comment")
    def comment_excerpt(self, feedback):
        return truncatechars(feedback.comment, 120) or "—"

    def has_view_permission(self, request, obj=None):
        return may_read_feedback(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
