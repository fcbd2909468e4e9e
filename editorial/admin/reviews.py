"""Reviews in the admin: "My reviews" for reviewers, every review and the review dashboard
for editors, the review page where a reviewer decides, and the read-only sign-offs."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from articles.models import Article
from articles.versions import build_version
from editorial import services, signatures
from editorial.admin.article_actions import add_form_errors, error_text
from editorial.audit_export import trail_csv, trail_rows
from editorial.dashboard import review_dashboard
from editorial.diff import diff_snapshots
from editorial.forms import DashboardFilterForm, DecisionForm
from editorial.models import ConfirmationMethod, ReviewRequest, ReviewStatus, SignOff
from healthsite.admin_lookups import ListedLookupsOnly


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
class ReviewRequestAdmin(ListedLookupsOnly, admin.ModelAdmin):
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
        return request.user.has_perm("editorial.change_reviewrequest")

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
            reverse("admin:editorial_reviewrequest_review", args=[review_request.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="editorial_reviewrequest_review",
            ),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="editorial_review_dashboard",
            ),
            path(
                "<path:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="editorial_reviewrequest_cancel",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        review_request = get_object_or_404(
            ReviewRequest.objects.select_related("article__category", "reviewer"), pk=object_id
        )
        if not self.get_queryset(request).filter(pk=review_request.pk).exists():
            raise PermissionDenied(
                f"This review is assigned to {review_request.reviewer.name}: only they and "
                "the editors can open it."
            )
        article = review_request.article
        can_decide = (
            request.user.has_perm("editorial.sign_off")
            and review_request.reviewer.user_id == request.user.pk
            and review_request.status == ReviewStatus.OPEN
        )
        preview = build_version(article)
        method = signatures.confirmation_method_for(request.user)
        recent = signatures.recent_confirmation(request)
        form = DecisionForm(
            request.POST or None,
            initial={"content_fingerprint": preview.content_fingerprint},
            statement=signatures.statement_for(
                reviewer=review_request.reviewer,
                snapshot=preview.content,
                content_fingerprint=preview.content_fingerprint,
            ),
            secret_label=(
                "Code from your authenticator app"
                if method == ConfirmationMethod.AUTHENTICATOR
                else "Your password"
            ),
        )
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied(
                    "Only the assigned reviewer can approve or request changes on an open review."
                )
            if form.is_valid():
                try:
                    confirmation = recent
                    if form.cleaned_data["secret"]:
                        confirmation = signatures.confirm_identity(
                            request=request, user=request.user, secret=form.cleaned_data["secret"]
                        )
                    sign_off = services.decide_review(
                        review_request=review_request,
                        user=request.user,
                        decision=form.cleaned_data["decision"],
                        notes=form.cleaned_data["notes"],
                        checklist=form.checklist(),
                        reviewed_fingerprint=form.cleaned_data["content_fingerprint"],
                        confirmation=confirmation,
                        statement=form.signed_statement(),
                    )
                except ValidationError as error:
                    add_form_errors(form, error)
                    recent = signatures.recent_confirmation(request)
                else:
                    self.message_user(
                        request,
                        f"{sign_off.get_decision_display()} and signed: {article.title}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:editorial_reviewrequest_changelist"))
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
            "recent_confirmation": recent,
            "confirmed_until": recent and recent.confirmed_at + signatures.confirmation_window(),
            "earlier_sign_offs": article.sign_offs.select_related("reviewer"),
        }
        return TemplateResponse(request, "editorial/review.html", context)

    def dashboard_view(self, request):
        if not request.user.has_perm("editorial.view_reviewrequest"):
            raise PermissionDenied("Your role does not include the review dashboard.")
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
        return TemplateResponse(request, "editorial/dashboard.html", context)

    def cancel_view(self, request, object_id):
        review_request = get_object_or_404(ReviewRequest, pk=object_id)
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:editorial_reviewrequest_change", args=[object_id])
            )
        try:
            services.cancel_review(
                review_request=review_request,
                user=request.user,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            self.message_user(request, error_text(error), messages.ERROR)
        else:
            self.message_user(request, "Review cancelled.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:editorial_reviewrequest_changelist"))


@admin.register(SignOff)
class SignOffAdmin(ListedLookupsOnly, admin.ModelAdmin):
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

    def get_urls(self):
        return [
            path(
                "audit-trail.csv",
                self.admin_site.admin_view(self.audit_csv_view),
                name="editorial_audit_trail_csv",
            ),
            *super().get_urls(),
        ]

    def audit_csv_view(self, request):
        """?article=ID for one article's trail; ?since=&until= (YYYY-MM-DD) for the site's."""
        if not request.user.has_perm("articles.publish_article"):
            raise PermissionDenied("Only editors and administrators can export the audit trail.")
        try:
            article = request.GET.get("article")
            article = Article.objects.get(pk=int(article)) if article else None
            since, until = (
                datetime.date.fromisoformat(request.GET[name]) if request.GET.get(name) else None
                for name in ("since", "until")
            )
        except (ValueError, Article.DoesNotExist):
            return HttpResponse(
                "Give ?article= an article's number, and since/until as dates like 2026-01-31.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        rows = trail_rows(article=article, since=since, until=until)
        response = HttpResponse(trail_csv(rows), content_type="text/csv; charset=utf-8")
        name = f"audit-trail-article-{article.pk}" if article else "audit-trail"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        add_never_cache_headers(response)
        return response
