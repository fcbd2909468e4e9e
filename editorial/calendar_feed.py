"""Each reviewer's private iCalendar feed of review due dates, and its revocable token.

The feed's address holds the reviewer's ``calendar_token``; anyone with the address can read
the feed, so it is shown only to the reviewer and to editors, and resetting the token
revokes the old address at once.
"""

import datetime
import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from articles.models import Article
from editorial.models import ReviewStatus
from reviewers.models import Reviewer, new_calendar_token

logger = logging.getLogger(__name__)

# secrets.token_urlsafe(32) gives 43 URL-safe characters; anything else is not a token.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def reset_calendar_token(*, reviewer: Reviewer) -> Reviewer:
    """Give the reviewer a new feed address; the old one stops working at once."""
    reviewer.calendar_token = new_calendar_token()
    reviewer.updated_at = timezone.now()
    Reviewer.objects.filter(pk=reviewer.pk).update(
        calendar_token=reviewer.calendar_token, updated_at=reviewer.updated_at
    )
    logger.info("Calendar link reset for reviewer %s", reviewer.pk)
    return reviewer


def reviewer_for_token(token: str) -> Reviewer | None:
    """The reviewer whose feed ``token`` opens, or None.

    The indexed lookup cannot leak a usable part of a 256-bit random token; the final
    comparison is constant-time and exact, whatever the database's collation.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    reviewer = Reviewer.objects.filter(calendar_token=token).first()
    if reviewer is None or not secrets.compare_digest(
        reviewer.calendar_token.encode(), token.encode()
    ):
        return None
    return reviewer


def feed_path(reviewer: Reviewer) -> str:
    return reverse("editorial:calendar", kwargs={"token": reviewer.calendar_token})


def build_feed(
    *,
    reviewer: Reviewer,
    absolute_url: Callable[[str], str] = str,
    now: datetime.datetime | None = None,
) -> bytes:
    """The reviewer's calendar: an all-day event on the due date of each open review
    assigned to them, and on the next review date of each published article they reviewed.

    ``absolute_url`` turns a path into a full address (the view passes the request's
    ``build_absolute_uri``).
    """
    stamp = (now or timezone.now()).astimezone(datetime.UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Review due dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Reviews: {reviewer.name}")
    calendar.add("x-published-ttl", "PT1H")

    open_reviews = (
        reviewer.review_requests.open()
        .filter(due_on__isnull=False)
        .select_related("article")
        .order_by("due_on", "pk")
    )
    for review_request in open_reviews:
        link = absolute_url(
            reverse("admin:editorial_reviewrequest_review", args=[review_request.pk])
        )
        note = review_request.note.strip()
        calendar.add_component(
            _all_day_event(
                uid=f"review-{review_request.pk}@healthsite",
                day=review_request.due_on,
                stamp=stamp,
                summary=f"Review due: {review_request.article.title}",
                description=(f"{note}\n\n" if note else "") + f"Open the review: {link}",
                url=link,
            )
        )

    rereviews = (
        Article.objects.published()
        .filter(reviewer=reviewer, next_review_due__isnull=False)
        .exclude(review_requests__status=ReviewStatus.OPEN)  # already listed as "Review due"
        .order_by("next_review_due", "pk")
    )
    for article in rereviews:
        link = absolute_url(reverse("admin:articles_article_change", args=[article.pk]))
        last = (
            f"You last reviewed it on {article.last_reviewed_on.day} "
            f"{article.last_reviewed_on:%B %Y}.\n\n"
            if article.last_reviewed_on
            else ""
        )
        calendar.add_component(
            _all_day_event(
                uid=f"rereview-{article.pk}@healthsite",
                day=article.next_review_due,
                stamp=stamp,
                summary=f"Re-review due: {article.title}",
                description=f"{last}The article in the admin: {link}",
                url=link,
            )
        )
    return calendar.to_ical()


def _all_day_event(*, uid, day, stamp, summary, description, url) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a deadline, not time the reviewer is busy
    return event
