"""The article admin's review and publication pages: submit for review, publish, schedule,
unpublish. Each is a form whose valid POST calls one editorial.services function; the
service decides, and its errors come back on the form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from editorial import services
from editorial.forms import PublishForm, ScheduleForm, SubmitForReviewForm, UnpublishForm
from editorial.quality import pre_review_checklist
from editorial.review_state import current_approval


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def add_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _change_page(article):
    return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


REFUSALS = {
    "articles.submit_article": "Only writers and editors can submit articles for review.",
    "articles.publish_article": "Only editors can publish, schedule or unpublish articles.",
}


def _article_or_404(model_admin, request, object_id, *, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied(REFUSALS[permission])
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404("No article with that ID.")
    return article


def _workflow_page(model_admin, request, article, *, title, form, template, perform, extra=None):
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            model_admin.message_user(request, message, messages.SUCCESS)
            return _change_page(article)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": article.title,
        "article": article,
        "opts": model_admin.opts,
        "form": form,
        **(extra or {}),
    }
    return TemplateResponse(request, f"editorial/article/{template}", context)


def submit_view(model_admin, request, object_id):
    article = _article_or_404(model_admin, request, object_id, permission="articles.submit_article")
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

    return _workflow_page(
        model_admin, request, article, title="Submit for medical review", form=form,
        template="submit.html", perform=perform,
        extra={"checklist": pre_review_checklist(article)},
    )  # fmt: skip


def publish_view(model_admin, request, object_id):
    article = _article_or_404(
        model_admin, request, object_id, permission="articles.publish_article"
    )
    form = PublishForm(request.POST or None)

    def perform(data):
        version = services.publish(
            article=article, user=request.user, change_summary=data["change_summary"]
        )
        return f"Published version {version.number}. Readers now see the approved content."

    return _workflow_page(
        model_admin, request, article, title="Publish", form=form, template="publish.html",
        perform=perform, extra={"approval": current_approval(article=article)},
    )  # fmt: skip


def schedule_view(model_admin, request, object_id):
    article = _article_or_404(
        model_admin, request, object_id, permission="articles.publish_article"
    )
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
            model_admin.message_user(request, error_text(error), messages.ERROR)
        else:
            model_admin.message_user(request, "Scheduled publication cancelled.", messages.SUCCESS)
        return _change_page(article)
    return _workflow_page(
        model_admin, request, article, title="Schedule publication", form=form,
        template="schedule.html", perform=perform,
        extra={"approval": current_approval(article=article)},
    )  # fmt: skip


def unpublish_view(model_admin, request, object_id):
    article = _article_or_404(
        model_admin, request, object_id, permission="articles.publish_article"
    )
    form = UnpublishForm(request.POST or None)

    def perform(data):
        services.unpublish(article=article, user=request.user, reason=data["reason"])
        return "Unpublished. The page is no longer public; its history is kept."

    return _workflow_page(
        model_admin, request, article, title="Unpublish", form=form, template="unpublish.html",
        perform=perform,
    )  # fmt: skip
