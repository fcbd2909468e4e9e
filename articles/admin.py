from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from articles.admin_feedback import ReaderFeedbackAdminMixin
from articles.admin_quality import BrokenLinksFilter, QualityChecksAdminMixin, link_check_text
from articles.images import ImageUploadField
from articles.models import (
    FAQ,
    REVIEW_DUE_SOON_DAYS,
    Article,
    ArticleStatus,
    Category,
    Citation,
    Source,
    review_due_within,
    review_overdue,
)
from articles.services import (
    check_citation_markers,
    refresh_content_fingerprint,
    refresh_hero_renditions,
    update_review_schedule,
)


class CitationInlineFormSet(BaseInlineFormSet):
    """Checks that every [^key] in the article's body has a citation in this formset."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        keys = [
            form.cleaned_data["key"]
            for form in self.forms
            if form.cleaned_data.get("key") and not self._should_delete_form(form)
        ]
        try:
            check_citation_markers(body=self.instance.body, citation_keys=keys)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationInlineFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = [
        ("order", "key", "source"),
        "title",
        "url",
        ("authors", "year"),
        ("doi", "pmid", "accessed_on"),
        ("is_further_reading", "link_check"),
    ]
    readonly_fields = ["link_check"]

    @admin.display(description="Link check")
    def link_check(self, citation):
        return link_check_text(citation)


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 0
    fields = ["order", "question", "answer"]


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            (str(REVIEW_DUE_SOON_DAYS), f"Within {REVIEW_DUE_SOON_DAYS} days"),
            ("90", "Within 90 days"),
            ("none", "No date set"),
            ("awaiting", f"Due within {REVIEW_DUE_SOON_DAYS} days, no reviewer assigned"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.filter(review_overdue(today=today))
        if value in (str(REVIEW_DUE_SOON_DAYS), "90"):
            return queryset.filter(review_due_within(today=today, days=int(value)))
        if value == "none":
            return queryset.filter(next_review_due__isnull=True)
        if value == "awaiting":
            soon = today + timedelta(days=REVIEW_DUE_SOON_DAYS)
            return queryset.due_for_review(on=soon).exclude(review_requests__status="open")
        return queryset


class ArticleAdminForm(forms.ModelForm):
    """Refuses to overwrite changes someone else saved after this form was opened."""

    seen_edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (ModelAdmin passes the fields of its fieldsets)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_edit_version"].initial = self.instance.edit_version

    def clean(self):
        cleaned_data = super().clean()
        seen = cleaned_data.get("seen_edit_version")
        if self.instance.pk is None or seen is None:
            return cleaned_data
        current = (
            Article.objects.select_for_update(of=("self",))
            .filter(pk=self.instance.pk)
            .select_related("updated_by")
            .first()
        )
        if current is not None and current.edit_version != seen:
            self.data = self.data.copy()
            self.data["seen_edit_version"] = current.edit_version
            who = (
                current.updated_by.get_full_name() or current.updated_by.username
                if (current.updated_by)
                else "Someone else"
            )
            raise ValidationError(
                "%(who)s saved this article at %(when)s, after you opened it. Your changes are "
                "still in this form but have not been saved. Open the article in a new tab to "
                "see their changes and combine the two; saving this form again will replace "
                "their version with yours.",
                code="edit_conflict",
                params={
                    "who": who,
                    "when": timezone.localtime(current.updated_at).strftime("%H:%M on %d %B %Y"),
                },
            )
        return cleaned_data


@admin.register(Article)
class ArticleAdmin(ReaderFeedbackAdminMixin, QualityChecksAdminMixin, admin.ModelAdmin):
    list_display = ["title", "category", "status", "reviewer_name", "last_reviewed_on",
                    "next_review", "broken_links", "updated_on"]  # fmt: skip
    list_filter = ["status", "category", "reviewer", ReviewDueFilter, BrokenLinksFilter,
                   "is_sample"]  # fmt: skip
    list_select_related = ["category", "reviewer"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category"]
    date_hierarchy = "published_at"
    inlines = [CitationInline, FAQInline]
    form = ArticleAdminForm
    # Size, pixel and format checks with their own messages (articles.images).
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
    # Review and publication state is set only by the review workflow (reviewers.services).
    readonly_fields = ["hero_preview", "status", "published_at", "reviewer", "last_reviewed_on",
                       "next_review_due", "created_at", "updated_at"]  # fmt: skip
    list_per_page = 50
    empty_value_display = "—"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "category",
                    "tags",
                    "summary",
                    "author",
                    "body",
                    "seen_edit_version",
                ]  # fmt: skip
            },
        ),
        ("Hero image", {"fields": ["hero_image", "hero_preview", "hero_alt", "hero_credit"]}),
        (
            "Publication and medical review",
            {
                "fields": [
                    "status",
                    "published_at",
                    "reviewer",
                    "last_reviewed_on",
                    "next_review_due",
                    "review_interval_months",
                    "next_review_due_override",
                    "is_sample",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Medical reviewer", ordering="reviewer__name")
    def reviewer_name(self, article):
        return article.reviewer.name if article.reviewer else "—"

    @admin.display(description="Next review due", ordering="next_review_due")
    def next_review(self, article):
        """The date, and how soon it is when within 30 days or past."""
        due = article.next_review_due
        if due is None:
            return "—"
        days = (due - timezone.localdate()).days
        if days < 0:
            return format_html(
                '{}<br><strong class="review-overdue">Overdue by {} day{}</strong>',
                date_format(due, "j M Y"),
                -days,
                pluralize(-days),
            )
        if days <= 30:
            return format_html(
                "{}<br>Due in {} day{}", date_format(due, "j M Y"), days, pluralize(days)
            )
        return date_format(due, "j M Y")

    @admin.display(description="Updated", ordering="updated_at")
    def updated_on(self, article):
        return date_format(timezone.localtime(article.updated_at), "j M Y")

    @admin.display(description="Preview")
    def hero_preview(self, article):
        if not article.hero_image:
            return "No image"
        return format_html(
            '<img src="{}" alt="{}" width="320">',
            article.hero_image.url,
            article.hero_alt,
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        elif db_field.name == "body":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 24, "cols": 100})
        elif db_field.name == "title":
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        obj.edit_version += 1
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("articles.publish_article"):
            readonly += ["review_interval_months", "next_review_due_override"]
        return readonly

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_content_fingerprint(article=form.instance)
        update_review_schedule(article=form.instance)
        refresh_hero_renditions(article=form.instance)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
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
class SourceAdmin(admin.ModelAdmin):
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
