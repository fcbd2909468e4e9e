"""Categories and sources in the admin. The article admin is editorial's (editorial.admin)."""

from django.contrib import admin
from django.db.models import Count, Q

from articles.models import ArticleStatus, Category, Source
from articles.review_schedule import update_review_schedule
from healthsite.admin_lookups import ListedLookupsOnly


@admin.register(Category)
class CategoryAdmin(ListedLookupsOnly, admin.ModelAdmin):
    ordering = ["name"]
    list_display = ["name", "slug", "review_interval_months", "published_count", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _article_count=Count("articles"),
                _published_count=Count(
                    "articles", filter=Q(articles__status=ArticleStatus.PUBLISHED)
                ),
            )
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "review_interval_months" in form.changed_data:
            for article in obj.articles.filter(review_interval_months__isnull=True):
                update_review_schedule(article=article)

    @admin.display(description="Articles", ordering="_article_count")
    def article_count(self, category):
        return category._article_count

    @admin.display(description="Published", ordering="_published_count")
    def published_count(self, category):
        return category._published_count


@admin.register(Source)
class SourceAdmin(ListedLookupsOnly, admin.ModelAdmin):
    ordering = ["name"]
    list_display = ["name", "source_type", "trust_label", "url", "citation_count"]
    list_filter = ["source_type"]
    search_fields = ["name", "slug", "trust_label"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="_citation_count")
    def citation_count(self, source):
        return source._citation_count
