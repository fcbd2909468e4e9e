from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from reviewers.models import Reviewer


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    ordering = ["name"]
    list_display = ["name", "credentials", "specialty", "is_active", "user", "article_count"]
    list_filter = ["is_active", "specialty"]
    search_fields = ["name", "credentials", "specialty"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    readonly_fields = ["photo_preview"]
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
        return format_html(
            '<img src="{}" alt="" style="max-width: 160px; height: auto">', reviewer.photo.url
        )
