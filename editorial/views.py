from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from editorial.calendar_feed import build_feed, reviewer_for_token


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
