from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from articles.models import Article
from feedback.forms import FeedbackForm
from feedback.origin import same_origin_post
from feedback.services import FEEDBACK_RATE_WINDOW_SECONDS, FeedbackRateLimited, record_feedback
from healthsite.security import client_ip


@same_origin_post
def article_feedback(request, slug):
    """A reader's "Was this helpful?" answer, sent by a plain form (no JavaScript needed):
    stored, then back to the article's thank-you. Cross-site requests are refused by
    ``same_origin_post``, which stands in for the CSRF token a cached page cannot carry."""
    published = (
        Article.objects.published()
        .select_related("live_version")
        .only("slug", "live_slug", "status", "published_at", "live_version__title")
    )
    article = get_object_or_404(published, live_slug=slug)
    form = FeedbackForm(request.POST)
    problems = []
    if form.is_valid():
        try:
            record_feedback(
                article=article,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
                client_address=client_ip(request),
            )
        except FeedbackRateLimited as limited:
            response = render(
                request,
                "feedback/problem.html",
                {"article": article, "heading": "Too much feedback for now", "problems": [limited]},
                status=429,
            )
            response["Retry-After"] = str(FEEDBACK_RATE_WINDOW_SECONDS)
            return response
        except ValidationError as error:
            problems = error.messages
        else:
            return redirect(f"{article.get_absolute_url()}?feedback=thanks#feedback")
    problems += [message for messages in form.errors.values() for message in messages]
    context = {
        "article": article,
        "heading": "Your feedback was not sent",
        "problems": problems,
        "show_form": True,
        "feedback_comment": request.POST.get("comment", ""),
    }
    return render(request, "feedback/problem.html", context, status=400)
