"""A realistic synthetic data set for load tests and benchmarks (generate_content).

Articles come with citations, FAQs, tags, two published versions each (first publication and
a "Reviewed, no changes" re-review) and the approvals behind them, spread over review dates
so some are overdue, some due soon and most current. Everything is written with bulk
inserts, in batches of BATCH articles, each in its own transaction. All of it is marked as
sample content.

The articles and their versions get their primary keys here, after the largest in each table,
so a batch is built whole (its articles' live versions and related articles included) away
from the database: in a pool of worker processes, which render the Markdown while the main
process writes the batch before. Nothing else should add articles or versions meanwhile.
"""

import collections
import datetime
import multiprocessing
import os
import random
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.models import (
    FAQ,
    Article,
    ArticleStatus,
    Category,
    Citation,
    PublishedVersion,
    Source,
    SourceType,
    VersionKind,
)
from articles.related import RELATED_ARTICLES_KEPT
from articles.review_schedule import add_months
from articles.signals import live_articles_changed
from articles.versions import build_version, copied_version
from editorial.models import Decision, SignOff
from reviewers.models import Reviewer

TOPICS = ["Allergies", "Back Pain", "Diabetes", "Heart Health", "Mental Health", "Nutrition",
          "Skin Conditions", "Sleep", "Digestive Health", "Women's Health"]  # fmt: skip
ASPECTS = ["symptoms and causes", "when to see a doctor", "treatment options",
           "self-care at home", "myths and facts", "what the research says",
           "living with it day to day", "questions to ask your doctor"]  # fmt: skip
WORDS = (  # noqa: SIM905
    "health care doctor nurse pharmacist symptom treatment research evidence trial "
    "review study patients adults children risk benefit daily routine sleep exercise "
    "diet water activity stress pain relief medicine dose side effect guideline "
    "advice common rare mild severe early signs help support recovery weeks months "
    "habit blood pressure heart lungs skin joints muscles nerves"
).split()
TAGS = ["self-care", "prevention", "children", "older-adults", "medicines", "exercise",
        "diet", "mental-wellbeing", "screening", "pregnancy", "chronic-conditions",
        "first-aid", "sleep", "pain", "research"]  # fmt: skip
BATCH = 1000


@dataclass
class Generated:
    articles: int = 0
    citations: int = 0
    faqs: int = 0
    versions: int = 0


@dataclass(frozen=True)
class _Registry:
    categories: list
    reviewers: list
    sources: list
    tags: list
    tagged_type_id: int


@dataclass(frozen=True)
class _BatchPlan:
    seed: str
    today: datetime.date
    first_article_id: int
    first_version_id: int
    size: int


@dataclass
class _Batch:
    """One batch of articles and everything that goes with them, unsaved."""

    articles: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    version_tags: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    faqs: list = field(default_factory=list)
    tagged: list = field(default_factory=list)
    sign_offs: list = field(default_factory=list)


def _sentence(rng, low=8, high=18):
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng, sentences):
    return " ".join(_sentence(rng) for _ in range(sentences))


def _registry(rng):
    categories = [
        Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in TOPICS
    ]
    reviewers = []
    for n in range(1, 21):
        reviewer, _ = Reviewer.objects.get_or_create(
            slug=f"synthetic-reviewer-{n}",
            defaults={
                "name": f"Dr Sample Reviewer {n}",
                "credentials": rng.choice(["MD", "MD, FACP", "MBBS, MRCP", "PharmD", "RN, MSN"]),
                "specialty": rng.choice(
                    ["General practice", "Cardiology", "Dermatology", "Sleep medicine", "Nutrition"]
                ),  # fmt: skip
                "bio": "A fictional reviewer created for load testing.",
            },
        )
        reviewers.append(reviewer)
    sources = []
    for n, source_type in enumerate(SourceType.values, start=1):
        source, _ = Source.objects.get_or_create(
            slug=f"synthetic-source-{n}",
            defaults={
                "name": f"Sample {SourceType(source_type).label} {n}",
                "source_type": source_type,
                "trust_label": SourceType(source_type).suggested_trust_label or "Other source",
                "url": f"https://example.org/source-{n}/",
            },
        )
        sources.append(source)
    tags = [Tag.objects.get_or_create(slug=tag, defaults={"name": tag})[0] for tag in TAGS]
    return categories, reviewers, sources, tags


def generate_content(
    *,
    articles: int,
    seed: int = 1,
    today: datetime.date | None = None,
    batch_size: int = BATCH,
    workers: int | None = None,
) -> Generated:
    """Add ``articles`` published synthetic articles (on top of any already there), built by
    ``workers`` processes (one per CPU by default; 0 builds them in this process)."""
    rng = random.Random(seed)  # noqa: S311 (sample text, not security)
    today = today or timezone.localdate()
    registry = _Registry(
        *_registry(rng), tagged_type_id=ContentType.objects.get_for_model(Article).pk
    )
    first_article_id = (Article.objects.aggregate(n=Max("pk"))["n"] or 0) + 1
    first_version_id = (PublishedVersion.objects.aggregate(n=Max("pk"))["n"] or 0) + 1
    had_live_articles = Article.objects.filter(live_version__isnull=False).exists()
    plans = [
        _BatchPlan(
            seed=f"{seed}-{first_article_id + start}",
            today=today,
            first_article_id=first_article_id + start,
            first_version_id=first_version_id + 2 * start,
            size=min(batch_size, articles - start),
        )
        for start in range(0, articles, batch_size)
    ]
    if workers is None:
        workers = os.cpu_count() or 1
    result = Generated()
    for batch in _built(plans, registry, workers=workers if len(plans) > 1 else 0):
        with transaction.atomic():
            _save(batch)
        result.articles += len(batch.articles)
        result.citations += len(batch.citations)
        result.faqs += len(batch.faqs)
        result.versions += len(batch.versions)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Article, PublishedVersion]):
            cursor.execute(statement)
    # The new versions have no stored page yet; the listings show the new articles. Only
    # the articles there before may show them elsewhere: all of them, to be safe.
    live_articles_changed.send(sender=Article, article_ids=None if had_live_articles else [])
    return result


def _built(plans, registry, *, workers):
    """The batches, built in order; by a pool of ``workers`` processes, each a few batches
    ahead of the one being saved, no more (so memory stays bounded)."""
    if not workers:
        for plan in plans:
            yield _build_batch(plan, registry)
        return
    # Forked, the workers need no setup; they never touch the database connection.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending = collections.deque()
        for plan in plans:
            pending.append(pool.apply_async(_build_batch, (plan, registry)))
            if len(pending) > workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _save(batch: _Batch) -> None:
    # Versions first: on SQLite, inserting a live article indexes its live version's text
    # (search_index.py). The foreign keys are checked at commit.
    PublishedVersion.objects.bulk_create(batch.versions)
    PublishedVersion.tags.through.objects.bulk_create(batch.version_tags)
    Article.objects.bulk_create(batch.articles)
    Citation.objects.bulk_create(batch.citations)
    FAQ.objects.bulk_create(batch.faqs)
    TaggedItem.objects.bulk_create(batch.tagged)
    SignOff.objects.bulk_create(batch.sign_offs)


def _build_batch(plan: _BatchPlan, registry: _Registry) -> _Batch:
    rng = random.Random(plan.seed)  # noqa: S311 (sample text, not security)
    today = plan.today
    batch = _Batch()
    tag_ids = {}
    for n in range(plan.size):
        number = plan.first_article_id + n
        category = rng.choice(registry.categories)
        title = f"{category.name}: {rng.choice(ASPECTS)} ({number})"
        # Review dates spread so about 8% are overdue and 8% due within a month; every
        # review and publication is in the past.
        due = today + datetime.timedelta(days=rng.randint(-30, 330))
        reviewed = add_months(due, -12)
        sections = [
            f"## {heading}\n\n{_paragraph(rng, 4)}[^s{key}] {_paragraph(rng, 3)}"
            for key, heading in enumerate(["Overview", "Causes", "Treatment", "When to get help"])
        ]
        reviewer = rng.choice(registry.reviewers)
        article = Article(
            pk=number,
            title=title,
            slug=f"synthetic-{slugify(title)}",
            category=category,
            summary=_sentence(rng, 14, 24)[:280],
            body="\n\n".join(sections),
            author=f"Sample Writer {rng.randint(1, 40)}",
            status=ArticleStatus.PUBLISHED,
            published_at=timezone.make_aware(
                datetime.datetime.combine(add_months(reviewed, -6), datetime.time(9))
            ),
            reviewer=reviewer,
            last_reviewed_on=reviewed,
            next_review_due=due,
            is_sample=True,
        )
        citations = [
            Citation(
                article=article,
                key=f"s{key}",
                source=rng.choice(registry.sources),
                title=_sentence(rng, 5, 10).rstrip("."),
                url=f"https://example.org/research/{article.pk}/{key}",
                authors="Sample A, Example B",
                year=rng.randint(2012, today.year),
                order=key,
            )
            for key in range(5)
        ]
        faqs = [
            FAQ(
                article=article,
                question=_sentence(rng, 5, 9)[:-1] + "?",
                answer=_paragraph(rng, 2),
                order=order,
            )  # fmt: skip
            for order in range(3)
        ]
        tags = rng.sample(registry.tags, 3)
        tag_ids[article.pk] = {tag.pk for tag in tags}
        batch.tagged += [
            TaggedItem(tag=tag, content_type_id=registry.tagged_type_id, object_id=article.pk)
            for tag in tags
        ]
        first_review = add_months(reviewed, -12)
        first = build_version(
            article,
            citations=citations,
            faqs=faqs,
            tag_ids=sorted(tag_ids[article.pk]),
            number=1,
            kind=VersionKind.PUBLISHED,
            reviewer=reviewer,
            reviewed_on=first_review,
            change_summary="First published",
            published_at=article.published_at,
        )
        live = copied_version(
            first,
            number=2,
            kind=VersionKind.REVIEWED_UNCHANGED,
            reviewer=reviewer,
            reviewed_on=reviewed,
            change_summary="Reviewed, no changes",
            published_at=timezone.make_aware(datetime.datetime.combine(reviewed, datetime.time(9))),
        )
        first.pk = plan.first_version_id + 2 * n
        live.pk = first.pk + 1
        for version in (first, live):
            batch.versions.append(version)
            batch.version_tags += [
                PublishedVersion.tags.through(publishedversion_id=version.pk, tag_id=tag_id)
                for tag_id in version.tag_ids
            ]
        batch.sign_offs += [
            SignOff(
                article=article,
                reviewer=reviewer,
                decision=Decision.APPROVED,
                notes="Synthetic approval for load testing.",
                reviewed_on=reviewed_on,
                content_fingerprint=first.content_fingerprint,
                content=first.content,
            )
            for reviewed_on in (first_review, reviewed)
        ]
        article.content_fingerprint = first.content_fingerprint
        article.presentation_fingerprint = first.presentation_fingerprint
        article.live_version_id = live.pk
        article.live_published_at = live.published_at
        article.live_slug = live.slug
        article.live_category_id = live.category_id
        batch.articles.append(article)
        batch.citations += citations
        batch.faqs += faqs
    _choose_related(batch.articles, tag_ids)
    return batch


def _choose_related(articles, tag_ids) -> None:
    """Related articles, as refresh_related_articles would choose them within the batch:
    the same topic, the most tags in common first."""
    by_category = collections.defaultdict(list)
    for article in articles:
        by_category[article.category_id].append(article)
    for article in articles:
        mine = tag_ids[article.pk]
        neighbours = sorted(
            (other for other in by_category[article.category_id] if other.pk != article.pk),
            key=lambda other: -len(tag_ids[other.pk] & mine),
        )
        article.related_article_ids = [other.pk for other in neighbours[:RELATED_ARTICLES_KEPT]]
