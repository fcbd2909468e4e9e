from functools import partial

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from articles import structured_data
from articles.page_meta import SocialImage
from articles.views import PublishedArticleListView
from reviewers.calendar_feed import build_feed, reviewer_for_token
from reviewers.models import Reviewer


class ReviewerProfileView(PublishedArticleListView):
    """A reviewer's public profile with the published articles they reviewed."""

    template_name = "reviewers/reviewer_detail.html"

    def get_queryset(self):
        self.reviewer = get_object_or_404(Reviewer, slug=self.kwargs["slug"])
        return self.published_articles().filter(reviewer=self.reviewer)

    def get_context_data(self, **kwargs):
        return super().get_context_data(reviewer=self.reviewer, **kwargs)

    def head_context(self, context):
        reviewer = self.reviewer
        description = reviewer.name_with_credentials
        if reviewer.specialty:
            description += f", {reviewer.specialty}"
        photo = None
        if reviewer.photo:
            photo = SocialImage(
                url=self.request.build_absolute_uri(reviewer.photo.url),
                width=reviewer.photo_width,
                height=reviewer.photo_height,
                alt=f"Portrait of {reviewer.name}",
            )
        return self.hub_head_context(
            context,
            path=reviewer.get_absolute_url(),
            name=reviewer.name,
            title=f"{reviewer.name_with_credentials}, medical reviewer",
            description=f"{description}: medical reviewer at {settings.SITE_NAME}.",
            og_type="profile",
            image=photo,
            graph=partial(
                structured_data.profile_graph,
                reviewer=reviewer,
                absolute_url=self.request.build_absolute_uri,
            ),
        )


@require_safe
def calendar_feed(request, token):
    """A reviewer's private iCalendar feed; the token in the address is the only key."""
    reviewer = reviewer_for_token(token)
    if reviewer is None:
        raise Http404("There is no calendar at this address. It may have been reset.")
    response = HttpResponse(
        build_feed(reviewer=reviewer, absolute_url=request.build_absolute_uri),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Disposition"] = 'inline; filename="reviews.ics"'
    return response
