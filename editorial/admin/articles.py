"""The article admin: the editors' and writers' desk for an article, its citations and FAQs,
its quality checks, readers' feedback, and its review and publication (editorial.services)."""

from datetime import timedelta
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from articles.audit import record_edit
from articles.citations import check_citation_markers
from articles.hero_images import refresh_hero_renditions
from articles.models import FAQ, Article, Citation, PublishedVersion
from articles.review_schedule import (
    REVIEW_DUE_SOON_DAYS,
    review_due_within,
    review_overdue,
    update_review_schedule,
)
from articles.versions import refresh_content_fingerprint
from editorial import services
from editorial.admin import article_actions, desk
from editorial.admin.quality import (
    QUALITY_FIELDS,
    QUALITY_READONLY_FIELDS,
    BrokenLinksFilter,
    broken_links_html,
    checklist_html,
    citation_problems_html,
    link_check_text,
    old_citations_html,
    readability_html,
    with_broken_link_counts,
)
from editorial.forms import SubmitForReviewForm
from editorial.models import ReviewStatus
from editorial.quality import quality_report
from editorial.review_state import ReviewState, current_approval, review_state, with_review_state
from editorial.translation_status import translation_status
from feedback.summary import (
    helpful_share,
    may_read_feedback,
    recent_comments,
    with_feedback_counts,
)
from healthsite.admin_lookups import ListedLookupsOnly
from images.checks import ImageUploadField


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
    # Collapsed to one line each on the change page (static/js/editor-desk.js).
    fields = [
        ("key", "source"),
        ("doi", "pmid", "order"),
        ("title", "year"),
        ("url", "accessed_on"),
        ("authors", "is_further_reading"),
        "link_check",
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
            return queryset.due_for_review(on=soon).exclude(
                review_requests__status=ReviewStatus.OPEN
            )
        return queryset


class TranslationFilter(admin.SimpleListFilter):
    title = "translation"
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("out_of_date", "Out of date with its source"),
            ("up_to_date", "Up to date with its source"),
            ("none", "Not a translation"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "out_of_date":
            return queryset.filter(translation_of__isnull=False, source_changed_at__isnull=False)
        if value == "up_to_date":
            return queryset.filter(translation_of__isnull=False, source_changed_at__isnull=True)
        if value == "none":
            return queryset.filter(translation_of__isnull=True)
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
        if "translated_from" in self.fields:
            # Only the versions of the article this one translates (as submitted, or saved).
            source = self.data.get("translation_of") or self.instance.translation_of_id
            field = self.fields["translated_from"]
            field.queryset = (
                PublishedVersion.objects.history().filter(article_id=source)
                if str(source or "").isdigit()
                else PublishedVersion.objects.none()
            )
            field.label_from_instance = lambda version: (
                f"Version {version.number}, published {date_format(version.published_at, 'j M Y')}"
                f": {version.change_summary}"
            )

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
class ArticleAdmin(ListedLookupsOnly, admin.ModelAdmin):
    list_display = ["title", "category", "status_and_review", "reviewer_name",
                    "last_reviewed_on", "next_review", "broken_links", "updated_on",
                    "helpful_share"]  # fmt: skip
    list_filter = ["status", "language", TranslationFilter, "category", "reviewer",
                   ReviewDueFilter, BrokenLinksFilter, "is_sample"]  # fmt: skip
    list_select_related = ["category", "reviewer", "live_version"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "translation_of"]
    date_hierarchy = "published_at"
    inlines = [CitationInline, FAQInline]
    form = ArticleAdminForm
    change_form_template = "editorial/article/change_form.html"
    actions = ["schedule_re_review"]
    # Size, pixel and format checks with their own messages (images.checks).
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}
    # Review and publication state is set only by the review workflow (editorial.services).
    readonly_fields = ["hero_preview", "status", "published_at", "reviewer", "last_reviewed_on",
                       "next_review_due", "created_at", "updated_at", *QUALITY_READONLY_FIELDS,
                       "helpful_share", "recent_feedback_comments"]  # fmt: skip
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
        (
            "Language and translation",
            {"fields": ["language", "translation_of", "translated_from"]},
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
    # Shown on the change page of a saved article only.
    saved_article_fieldsets = [
        (
            "Quality checks",
            {
                "fields": QUALITY_FIELDS,
                "description": (
                    "Checked when the page loads, from the saved article; links are "
                    "checked nightly. Items marked “Blocks submission” must be fixed "
                    "before the article can be submitted for review."
                ),
            },
        ),
        ("Reader feedback", {"fields": ["helpful_share", "recent_feedback_comments"]}),
    ]

    def get_queryset(self, request):
        articles = with_review_state(super().get_queryset(request))
        return with_feedback_counts(with_broken_link_counts(articles))

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.pk:
            fieldsets += [
                fieldset
                for fieldset in self.saved_article_fieldsets
                if fieldset[0] != "Reader feedback" or may_read_feedback(request.user)
            ]
        return fieldsets

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if may_read_feedback(request.user):
            return shown
        return [name for name in shown if name != "helpful_share"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("articles.publish_article"):
            readonly += ["review_interval_months", "next_review_due_override"]
        return readonly

    # The list -------------------------------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def status_and_review(self, article):
        """The publication status and where the content stands in review, in one column."""
        return format_html("{}<br>{}", article.get_status_display(), self.workflow_state(article))

    @admin.display(description="Review state")
    def workflow_state(self, article):
        state = review_state(article)
        if state == ReviewState.CHANGED_SINCE_REVIEW:
            return format_html("<strong>{}</strong>", state.label)
        return state.label

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
        if days <= REVIEW_DUE_SOON_DAYS:
            return format_html(
                "{}<br>Due in {} day{}", date_format(due, "j M Y"), days, pluralize(days)
            )
        return date_format(due, "j M Y")

    @admin.display(description="Broken links", ordering="_broken_links")
    def broken_links(self, article):
        return getattr(article, "_broken_links", 0)

    @admin.display(description="Updated", ordering="updated_at")
    def updated_on(self, article):
        return date_format(timezone.localtime(article.updated_at), "j M Y")

    @admin.display(description="Helpful", ordering="_feedback_share")
    def helpful_share(self, article):
        return helpful_share(article)

    # The change page ------------------------------------------------------------------

    @admin.display(description="Preview")
    def hero_preview(self, article):
        if not article.hero_image:
            return "No image"
        return format_html(
            '<img src="{}" alt="{}" width="320">',
            article.hero_image.url,
            article.hero_alt,
        )

    def _quality(self, article):
        if not hasattr(article, "_quality_report"):
            article._quality_report = quality_report(article)
        return article._quality_report

    @admin.display(description="Pre-review checklist")
    def quality_checklist(self, article):
        return checklist_html(self._quality(article))

    @admin.display(description="Readability")
    def readability_figures(self, article):
        return readability_html(self._quality(article))

    @admin.display(description="Citation integrity")
    def citation_problems(self, article):
        return citation_problems_html(self._quality(article))

    @admin.display(description="Old citations")
    def old_citations(self, article):
        return old_citations_html(self._quality(article))

    @admin.display(description="Broken links")
    def broken_links_detail(self, article):
        return broken_links_html(self._quality(article))

    @admin.display(description="Latest comments")
    def recent_feedback_comments(self, article):
        items = format_html_join(
            "",
            "<li><strong>{}</strong> · {}: {}</li>",
            (
                (
                    "Yes" if feedback.helpful else "No",
                    timezone.localtime(feedback.created_at).strftime("%d %b %Y %H:%M"),
                    feedback.comment,
                )
                for feedback in recent_comments(article)
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
        if article is not None and may_read_feedback(request.user):
            article._feedback_list_url = (
                reverse("admin:feedback_feedback_changelist") + f"?article__id__exact={article.pk}"
            )
        return article

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        elif db_field.name == "body":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 24, "cols": 100})
        elif db_field.name == "title":
            kwargs["widget"] = forms.TextInput(attrs={"class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context = {
                **(extra_context or {}),
                "workflow": self._workflow(request, article),
                "grace_days": settings.TRANSLATION_OUTDATED_GRACE_DAYS,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow(self, request, article):
        """What the change page shows of the article's review and publication."""
        return {
            "state": review_state(article),
            "open_review": article.review_requests.open().select_related("reviewer").first(),
            "approval": current_approval(article=article),
            "versions": article.versions.history(),
            "sign_offs": article.sign_offs.select_related("reviewer", "decided_by"),
            "events": article.events.select_related("actor")[:50],
            "translation": translation_status(article),
            "translations": article.translations.order_by("language").only(
                "title", "language", "source_changed_at", "status"
            ),
            "can_submit": request.user.has_perm("articles.submit_article"),
            "can_publish": request.user.has_perm("articles.publish_article"),
        }

    # Saving ---------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        obj.edit_version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_content_fingerprint(article=form.instance)
        update_review_schedule(article=form.instance)
        refresh_hero_renditions(article=form.instance)
        changed = [
            str(form.fields[name].label or name).lower()
            for name in form.changed_data
            if name != "seen_edit_version"
        ] + [
            str(formset.model._meta.verbose_name_plural)
            for formset in formsets
            if formset.has_changed()
        ]
        record_edit(article=form.instance, actor=request.user, changed=changed, created=not change)

    # Review and publication -----------------------------------------------------------

    def has_submit_permission(self, request):
        return request.user.has_perm("articles.submit_article")

    @admin.action(description="Schedule re-review of selected articles", permissions=["submit"])
    def schedule_re_review(self, request, queryset):
        form = SubmitForReviewForm(request.POST if "apply" in request.POST else None)
        del form.fields["publish_on_approval"]
        form.fields["due_on"].required = True
        if form.is_bound and form.is_valid():
            scheduled, refused = [], []
            for article in queryset:
                try:
                    services.submit_for_review(
                        article=article,
                        reviewer=form.cleaned_data["reviewer"],
                        requested_by=request.user,
                        due_on=form.cleaned_data["due_on"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    refused.append(f"{article.title}: {article_actions.error_text(error)}")
                else:
                    scheduled.append(article.title)
            if scheduled:
                reviewer = form.cleaned_data["reviewer"].name
                self.message_user(
                    request,
                    f"Re-review scheduled with {reviewer} for {len(scheduled)} "
                    f"article{'s' if len(scheduled) != 1 else ''}.",
                    messages.SUCCESS,
                )
            for problem in refused:
                self.message_user(request, f"Not scheduled: {problem}", messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule re-review",
            "opts": self.opts,
            "form": form,
            "articles": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "editorial/article/schedule_re_review.html", context)

    def get_urls(self):
        def view(function, name):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(partial(function, self)),
                name=f"articles_article_{name}",
            )

        def desk_view(function, name):
            return path(
                f"desk/{name.replace('_', '-')}/",
                self.admin_site.admin_view(function),
                name=f"articles_article_{name}",
            )

        return [
            desk_view(desk.preview_view, "preview_body"),
            desk_view(desk.look_up_view, "look_up_citation"),
            view(article_actions.submit_view, "submit"),
            view(article_actions.publish_view, "publish"),
            view(article_actions.schedule_view, "schedule"),
            view(article_actions.unpublish_view, "unpublish"),
            *super().get_urls(),
        ]
