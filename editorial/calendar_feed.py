"""Each reviewer's private iCalendar feed of review due dates, and its revocable address.

The feed's address holds a 256-bit secret; anyone with the address can read the feed. Only
a SHA-256 hash of the secret is stored (CalendarLink), so the address is shown once, to the
reviewer or editor who makes it, and making a new one revokes the old at once.
"""

import datetime
import hashlib
import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from articles.models import Article
from editorial.models import CalendarLink, ReviewStatus
from reviewers.models import Reviewer

logger = logging.getLogger(__name__)

# secrets.token_urlsafe(32) gives 43 URL-safe characters; anything else is not a token.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def token_hash(token: str) -> str:
    """What is stored of a feed's secret. A plain SHA-256 suffices: the secret is 256 random
    bits, so nobody can guess it from the hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_link(*, reviewer: Reviewer, made_by=None) -> str:
    """Give the reviewer a new private feed address and return its path: the only time it
    can be shown. The old address, if any, stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarLink.objects.update_or_create(
        reviewer=reviewer,
        defaults={
            "token_hash": token_hash(token),
            "created_at": timezone.now(),
            "created_by": made_by,
        },
    )
    logger.info("New calendar link for reviewer %s", reviewer.pk)
    return feed_path(token)


def revoke_calendar_link(*, reviewer: Reviewer) -> bool:
    """Stop the reviewer's feed address working (they can make a new one)."""
    deleted, _ = CalendarLink.objects.filter(reviewer=reviewer).delete()
    if deleted:
        logger.info("Calendar link revoked for reviewer %s", reviewer.pk)
    return bool(deleted)


def reviewer_for_token(token: str) -> Reviewer | None:
    """The reviewer whose feed ``token`` opens, or None."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    link = CalendarLink.objects.filter(token_hash=token_hash(token)).select_related("reviewer")
    found = link.first()
    return found.reviewer if found else None


def feed_path(token: str) -> str:
    return reverse("editorial:calendar", kwargs={"token": token})


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
