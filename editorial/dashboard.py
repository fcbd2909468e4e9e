"""The editors' review dashboard: what is overdue, what is coming, and who is carrying it."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from articles.models import Article, Category
from articles.review_schedule import REVIEW_DUE_SOON_DAYS, review_due_within, review_overdue
from editorial.models import ReviewRequest
from reviewers.models import Reviewer


@dataclass(frozen=True)
class Share:
    label: str
    published: int
    within: int

    @property
    def percent(self) -> int:
        return round(100 * self.within / self.published) if self.published else 100


@dataclass(frozen=True)
class Workload:
    reviewer: Reviewer
    open_reviews: list[ReviewRequest]

    @property
    def overdue(self) -> int:
        return sum(1 for review in self.open_reviews if review.is_overdue)


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    overdue: int
    due_soon: int
    awaiting_reviewer: int
    in_review: int
    overall: Share
    by_category: list[Share]
    workload: list[Workload]
    translations_out_of_date: list[tuple[str, str, int]]  # (code, language, count)
    overdue_articles: list[Article]
    due_soon_articles: list[Article]


def review_dashboard(
    *,
    today: datetime.date,
    category: Category | None = None,
    reviewer: Reviewer | None = None,
) -> Dashboard:
    """Figures for published articles, optionally for one category and/or one reviewer
    (the reviewer of the live version, or the reviewer assigned to an open review)."""
    soon = today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
    open_reviews = ReviewRequest.objects.open()
    articles = Article.objects.published()
    if category:
        articles = articles.filter(category=category)
        open_reviews = open_reviews.filter(article__category=category)
    if reviewer:
        articles = articles.filter(reviewer=reviewer)
        open_reviews = open_reviews.filter(reviewer=reviewer)
    articles = articles.annotate(
        _in_review=Exists(ReviewRequest.objects.open().filter(article=OuterRef("pk")))
    )
    overdue = review_overdue(today=today)
    due_soon = review_due_within(today=today)
    counts = articles.aggregate(
        published=Count("pk"),
        overdue=Count("pk", filter=overdue),
        due_soon=Count("pk", filter=due_soon),
        awaiting=Count("pk", filter=Q(next_review_due__lte=soon, _in_review=False)),
    )
    published_here = Q(articles__in=articles.values("pk"))  # already published()
    categories = (
        Category.objects.annotate(
            published=Count("articles", filter=published_here),
            within=Count(
                "articles", filter=published_here & Q(articles__next_review_due__gte=today)
            ),
        )
        .filter(published__gt=0)
        .order_by("name")
    )
    reviewers = (
        Reviewer.objects.filter(Q(is_active=True) | Q(review_requests__in=open_reviews))
        .distinct()
        .prefetch_related(
            Prefetch(
                "review_requests",
                queryset=open_reviews.select_related("article").order_by("due_on", "created_at"),
                to_attr="open_reviews",
            )
        )
        .order_by("name")
    )
    if reviewer:
        reviewers = reviewers.filter(pk=reviewer.pk)
    behind = (
        articles.filter(translation_of__isnull=False, source_changed_at__isnull=False)
        .values("language")
        .annotate(count=Count("pk"))
        .order_by("language")
    )
    language_names = dict(settings.LANGUAGES)
    listed = articles.select_related("category", "reviewer").order_by("next_review_due", "pk")
    return Dashboard(
        today=today,
        overdue=counts["overdue"],
        due_soon=counts["due_soon"],
        awaiting_reviewer=counts["awaiting"],
        in_review=open_reviews.count(),
        overall=Share(
            "All published articles",
            counts["published"],
            counts["published"] - counts["overdue"],
        ),
        by_category=[Share(c.name, c.published, c.within) for c in categories],
        workload=[Workload(r, r.open_reviews) for r in reviewers],
        translations_out_of_date=[
            (row["language"], language_names.get(row["language"], row["language"]), row["count"])
            for row in behind
        ],
        overdue_articles=list(listed.filter(overdue)[:25]),
        due_soon_articles=list(listed.filter(due_soon)[:25]),
    )
