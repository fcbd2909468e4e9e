from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from articles.admin import ArticleAdmin
from articles.images import ImageUploadField
from articles.models import Article, ArticleStatus
from articles.quality import pre_review_checklist
from articles.services import build_version
from reviewers import services
from reviewers.calendar_feed import feed_path, reset_calendar_token
from reviewers.dashboard import review_dashboard
from reviewers.diff import diff_snapshots
from reviewers.forms import (
    DashboardFilterForm,
    DecisionForm,
    PublishForm,
    ScheduleForm,
    SubmitForReviewForm,
    UnpublishForm,
)
from reviewers.models import Decision, Reviewer, ReviewRequest, ReviewStatus, SignOff


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


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class WorkflowArticleAdmin(ArticleAdmin):
    """The article admin with the review workflow: submit, publish, schedule, unpublish,
    the review state in the list, and the audit trail on the change page."""

    change_form_template = "admin/articles/article/workflow_change_form.html"
    actions = ["schedule_re_review"]

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
                    refused.append(f"{article.title}: {_error_text(error)}")
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
        return TemplateResponse(request, "admin/articles/article/schedule_re_review.html", context)

    def get_list_display(self, request):
        # One column for the publication status and where the content stands in review.
        return [
            "status_and_review" if name == "status" else name
            for name in super().get_list_display(request)
        ]

    def get_queryset(self, request):
        # As services.current_approval decides: the latest decision on the current content
        # counts, so a later request for changes withdraws an earlier approval.
        on_current_content = SignOff.objects.filter(
            article=OuterRef("pk"), content_fingerprint=OuterRef("content_fingerprint")
        ).order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                _in_review=Exists(ReviewRequest.objects.open().filter(article=OuterRef("pk"))),
                _current_decision=Subquery(on_current_content.values("decision")[:1]),
                _ever_approved=Exists(SignOff.objects.approvals().filter(article=OuterRef("pk"))),
                _live_fingerprint=F("live_version__content_fingerprint"),
            )
        )

    @admin.display(description="Status", ordering="status")
    def status_and_review(self, article):
        return format_html("{}<br>{}", article.get_status_display(), self.workflow_state(article))

    @admin.display(description="Review state")
    def workflow_state(self, article):
        if getattr(article, "_in_review", False):
            return "In review"
        if getattr(article, "_current_decision", None) != Decision.APPROVED:
            if getattr(article, "_ever_approved", False):
                return format_html("<strong>{}</strong>", "Changed since review")
            return "Not reviewed"
        if article.status == ArticleStatus.PUBLISHED and (
            getattr(article, "_live_fingerprint", None) == article.content_fingerprint
        ):
            return "Approved and live"
        return "Approved, not published"

    def get_urls(self):
        def view(function, name):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(function),
                name=f"articles_article_{name}",
            )

        return [
            view(self.submit_view, "submit"),
            view(self.publish_view, "publish"),
            view(self.schedule_view, "schedule"),
            view(self.unpublish_view, "unpublish"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context = {**(extra_context or {}), **self._workflow_context(request, article)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow_context(self, request, article):
        approval = services.current_approval(article=article)
        live = article.live_version
        return {
            "workflow": {
                "open_review": article.review_requests.open().select_related("reviewer").first(),
                "approval": approval,
                "content_is_live": bool(
                    live
                    and article.status == ArticleStatus.PUBLISHED
                    and live.content_fingerprint == article.content_fingerprint
                ),
                "changed_since_review": approval is None and article.sign_offs.approvals().exists(),
                "versions": article.versions.history(),
                "sign_offs": article.sign_offs.select_related("reviewer", "decided_by"),
                "events": article.events.select_related("actor")[:50],
                "can_submit": request.user.has_perm("articles.submit_article"),
                "can_publish": request.user.has_perm("articles.publish_article"),
            }
        }

    def _article_or_404(self, request, object_id):
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No article with that ID.")
        return article

    def _workflow_view(self, request, article, *, title, form, template, perform, extra=None):
        if request.method == "POST" and form.is_valid():
            try:
                message = perform(form.cleaned_data)
            except ValidationError as error:
                _add_form_errors(form, error)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:articles_article_change", args=[article.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": article.title,
            "article": article,
            "opts": self.opts,
            "form": form,
            **(extra or {}),
        }
        return TemplateResponse(request, f"admin/articles/article/{template}", context)

    def submit_view(self, request, object_id):
        if not request.user.has_perm("articles.submit_article"):
            raise PermissionDenied
        article = self._article_or_404(request, object_id)
        form = SubmitForReviewForm(request.POST or None)
        if not request.user.has_perm("articles.publish_article"):
            del form.fields["publish_on_approval"]

        def perform(data):
            review = services.submit_for_review(
                article=article,
                reviewer=data["reviewer"],
                requested_by=request.user,
                due_on=data.get("due_on"),
                note=data.get("note", ""),
                publish_on_approval=data.get("publish_on_approval", False),
            )
            return f"Submitted for review to {review.reviewer.name}."

        return self._workflow_view(
            request, article, title="Submit for medical review", form=form,
            template="submit.html", perform=perform,
            extra={"checklist": pre_review_checklist(article)},
        )  # fmt: skip

    def publish_view(self, request, object_id):
        if not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied
        article = self._article_or_404(request, object_id)
        form = PublishForm(request.POST or None)

        def perform(data):
            version = services.publish(
                article=article, user=request.user, change_summary=data["change_summary"]
            )
            return f"Published version {version.number}. Readers now see the approved content."

        return self._workflow_view(
            request, article, title="Publish", form=form, template="publish.html",
            perform=perform, extra={"approval": services.current_approval(article=article)},
        )  # fmt: skip

    def schedule_view(self, request, object_id):
        if not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied
        article = self._article_or_404(request, object_id)
        form = ScheduleForm(request.POST or None)

        def perform(data):
            services.schedule_publication(
                article=article,
                user=request.user,
                publish_at=data["publish_at"],
                change_summary=data["change_summary"],
            )
            when = timezone.localtime(data["publish_at"])
            return f"Scheduled to publish at {when:%H:%M on %d %B %Y}."

        if request.method == "POST" and request.POST.get("cancel"):
            try:
                services.cancel_schedule(article=article, user=request.user)
            except ValidationError as error:
                self.message_user(request, _error_text(error), messages.ERROR)
            else:
                self.message_user(request, "Scheduled publication cancelled.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        return self._workflow_view(
            request, article, title="Schedule publication", form=form,
            template="schedule.html", perform=perform,
            extra={"approval": services.current_approval(article=article)},
        )  # fmt: skip

    def unpublish_view(self, request, object_id):
        if not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied
        article = self._article_or_404(request, object_id)
        form = UnpublishForm(request.POST or None)

        def perform(data):
            services.unpublish(article=article, user=request.user, reason=data["reason"])
            return "Unpublished. The page is no longer public; its history is kept."

        return self._workflow_view(
            request, article, title="Unpublish", form=form, template="unpublish.html",
            perform=perform,
        )  # fmt: skip


admin.site.unregister(Article)
admin.site.register(Article, WorkflowArticleAdmin)


class ReviewStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ReviewStatus.choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.filter(status=ReviewStatus.OPEN)
        return queryset.filter(status=self.value())

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or ReviewStatus.OPEN) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    """ "My reviews" for medical reviewers; every review for editors."""

    list_display = ["article", "reviewer", "due_on", "overdue", "status", "requested_by",
                    "created_at", "review_link"]  # fmt: skip
    list_filter = [ReviewStatusFilter, "reviewer"]
    list_select_related = ["article", "reviewer", "requested_by"]
    search_fields = ["article__title", "reviewer__name"]
    ordering = ["due_on", "created_at"]
    readonly_fields = ["article", "reviewer", "requested_by", "due_on", "note",
                       "publish_on_approval", "status", "created_at", "closed_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # reviews start from an article's "Submit for review"

    def has_delete_permission(self, request, obj=None):
        return False  # the review record is kept

    def _sees_all(self, request):
        return request.user.has_perm("reviewers.change_reviewrequest")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._sees_all(request):
            return queryset
        return queryset.assigned_to(request.user)

    def changelist_view(self, request, extra_context=None):
        title = "All reviews" if self._sees_all(request) else "My reviews"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, review_request):
        return review_request.is_overdue

    @admin.display(description="")
    def review_link(self, review_request):
        if review_request.status != ReviewStatus.OPEN:
            return ""
        return format_html(
            '<a class="button" href="{}">Review</a>',
            reverse("admin:reviewers_reviewrequest_review", args=[review_request.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="reviewers_reviewrequest_review",
            ),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="reviewers_review_dashboard",
            ),
            path(
                "<path:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="reviewers_reviewrequest_cancel",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        review_request = get_object_or_404(
            self.get_queryset(request).select_related("article__category"), pk=object_id
        )
        article = review_request.article
        can_decide = (
            request.user.has_perm("reviewers.sign_off")
            and review_request.reviewer.user_id == request.user.pk
            and review_request.status == ReviewStatus.OPEN
        )
        preview = build_version(article)
        form = DecisionForm(
            request.POST or None, initial={"content_fingerprint": preview.content_fingerprint}
        )
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if form.is_valid():
                try:
                    sign_off = services.decide_review(
                        review_request=review_request,
                        user=request.user,
                        decision=form.cleaned_data["decision"],
                        notes=form.cleaned_data["notes"],
                        checklist=form.checklist(),
                        reviewed_fingerprint=form.cleaned_data["content_fingerprint"],
                    )
                except ValidationError as error:
                    _add_form_errors(form, error)
                else:
                    self.message_user(
                        request,
                        f"{sign_off.get_decision_display()}: {article.title}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:reviewers_reviewrequest_changelist"))
        last_approval = article.sign_offs.approvals().first()
        diff = None
        if last_approval:
            diff = diff_snapshots(last_approval.content, preview.content)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review: {article.title}",
            "opts": self.opts,
            "review_request": review_request,
            "article": article,
            "preview": preview,
            "last_approval": last_approval,
            "diff": diff,
            "form": form,
            "can_decide": can_decide,
            "earlier_sign_offs": article.sign_offs.select_related("reviewer"),
        }
        return TemplateResponse(request, "admin/reviewers/reviewrequest/review.html", context)

    def dashboard_view(self, request):
        if not request.user.has_perm("reviewers.view_reviewrequest"):
            raise PermissionDenied
        form = DashboardFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        dashboard = review_dashboard(
            today=timezone.localdate(),
            category=filters.get("category"),
            reviewer=filters.get("reviewer"),
        )
        article_filter = "&".join(
            f"{name}={value.pk}"
            for name, value in [
                ("category__id__exact", filters.get("category")),
                ("reviewer__id__exact", filters.get("reviewer")),
            ]
            if value
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Review dashboard",
            "opts": self.opts,
            "form": form,
            "dashboard": dashboard,
            "article_filter": f"&{article_filter}" if article_filter else "",
        }
        return TemplateResponse(request, "admin/reviewers/dashboard.html", context)

    def cancel_view(self, request, object_id):
        review_request = get_object_or_404(ReviewRequest, pk=object_id)
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:reviewers_reviewrequest_change", args=[object_id])
            )
        try:
            services.cancel_review(
                review_request=review_request,
                user=request.user,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
        else:
            self.message_user(request, "Review cancelled.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reviewers_reviewrequest_changelist"))


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    """The audit trail of every decision; nothing here can be changed or deleted."""

    list_display = ["article", "reviewer", "decision", "reviewed_on", "is_imported", "created_at"]
    list_filter = ["decision", "is_imported", "reviewer"]
    list_select_related = ["article", "reviewer"]
    search_fields = ["article__title", "reviewer__name", "notes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
