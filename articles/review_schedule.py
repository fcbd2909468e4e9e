"""The re-review schedule: when an article is next due for medical review.

Next review due = last review + interval (the article's, else its category's, else
REVIEW_INTERVAL_MONTHS, at most MAX_REVIEW_INTERVAL_MONTHS), unless an editor set a date.
"""

import calendar
import datetime

from django.conf import settings
from django.db.models import Q

from articles.signals import live_articles_changed

MAX_REVIEW_INTERVAL_MONTHS = 36

# "Due soon" on the review dashboard and in the article list's filter.
REVIEW_DUE_SOON_DAYS = 30


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def review_overdue(*, today: datetime.date) -> Q:
    """Articles whose next review date has passed."""
    return Q(next_review_due__lt=today)


def review_due_within(*, today: datetime.date, days: int = REVIEW_DUE_SOON_DAYS) -> Q:
    """Articles whose next review falls between today and ``days`` from now."""
    return Q(next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=days))


def review_interval_months(article) -> int:
    """The article's own interval, else its category's, else the site default."""
    return (
        article.review_interval_months
        or article.category.review_interval_months
        or settings.REVIEW_INTERVAL_MONTHS
    )


def scheduled_review_due(*, article, reviewed_on: datetime.date) -> datetime.date:
    return add_months(reviewed_on, review_interval_months(article))


def next_review_due(article) -> datetime.date | None:
    """The rule: the editor's date if set, else last review + interval; None if never
    reviewed."""
    if article.last_reviewed_on is None:
        return None
    return article.next_review_due_override or scheduled_review_due(
        article=article, reviewed_on=article.last_reviewed_on
    )


def update_review_schedule(*, article) -> datetime.date | None:
    """Store the article's next review date by the rule above.

    Call after the article's interval, its category's interval or the editor's date changed.
    """
    due = next_review_due(article)
    if due != article.next_review_due:
        article.next_review_due = due
        type(article).objects.filter(pk=article.pk).update(next_review_due=due)
        live_articles_changed.send(sender=type(article), article_ids=[article.pk])
    return due
