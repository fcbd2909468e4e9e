"""A realistic synthetic data set for load tests and benchmarks (generate_content).

Articles come with citations, FAQs, tags, two published versions each (first publication and
a "Reviewed, no changes" re-review) and the approvals behind them, spread over review dates
so some are overdue, some due soon and most current. Everything is written with bulk
inserts, in batches (10,000 articles take a couple of minutes on SQLite). All of it is marked as
sample content.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
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
BATCH = 500


@dataclass
class Generated:
    articles: int = 0
    citations: int = 0
    faqs: int = 0
    versions: int = 0


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


def generate_content(*, articles: int, seed: int = 1, today: datetime.date | None = None):
    """Add ``articles`` published synthetic articles (on top of any already there)."""
    rng = random.Random(seed)  # noqa: S311 (sample text, not security)
    today = today or timezone.localdate()
    categories, reviewers, sources, tags = _registry(rng)
    start = Article.objects.filter(slug__startswith="synthetic-").aggregate(n=Max("pk"))["n"] or 0
    result = Generated()
    for batch_start in range(0, articles, BATCH):
        size = min(BATCH, articles - batch_start)
        with transaction.atomic():
            _generate_batch(
                rng, today, start + batch_start, size, categories, reviewers, sources, tags, result
            )
    live_articles_changed.send(sender=Article, article_ids=None)
    return result


def _generate_batch(rng, today, offset, size, categories, reviewers, sources, tags, result):
    tagged_article_type = ContentType.objects.get_for_model(Article)
    drafts = []
    for n in range(size):
        number = offset + n + 1
        category = rng.choice(categories)
        title = f"{category.name}: {rng.choice(ASPECTS)} ({number})"
        # Review dates spread so about 8% are overdue and 8% due within a month; every
        # review and publication is in the past.
        due = today + datetime.timedelta(days=rng.randint(-30, 330))
        reviewed = add_months(due, -12)
        sections = [
            f"## {heading}\n\n{_paragraph(rng, 4)}[^s{key}] {_paragraph(rng, 3)}"
            for key, heading in enumerate(["Overview", "Causes", "Treatment", "When to get help"])
        ]
        drafts.append(
            Article(
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
                reviewer=rng.choice(reviewers),
                last_reviewed_on=reviewed,
                next_review_due=due,
                is_sample=True,
            )
        )
    created = Article.objects.bulk_create(drafts)
    citations, faqs, tagged = [], [], []
    for article in created:
        article_citations = [
            Citation(
                article=article,
                key=f"s{key}",
                source=rng.choice(sources),
                title=_sentence(rng, 5, 10).rstrip("."),
                url=f"https://example.org/research/{article.pk}/{key}",
                authors="Sample A, Example B",
                year=rng.randint(2012, today.year),
                order=key,
            )
            for key in range(5)
        ]
        article_faqs = [
            FAQ(
                article=article,
                question=_sentence(rng, 5, 9)[:-1] + "?",
                answer=_paragraph(rng, 2),
                order=order,
            )  # fmt: skip
            for order in range(3)
        ]
        citations += article_citations
        faqs += article_faqs
        article_tags = rng.sample(tags, 3)
        tagged += [
            TaggedItem(tag=tag, content_type=tagged_article_type, object_id=article.pk)
            for tag in article_tags
        ]
        article._tag_ids = {tag.pk for tag in article_tags}
        article._generated = (article_citations, article_faqs)
    Citation.objects.bulk_create(citations)
    FAQ.objects.bulk_create(faqs)
    TaggedItem.objects.bulk_create(tagged)
    versions, sign_offs = [], []
    for article in created:
        article_citations, article_faqs = article._generated
        first_review = add_months(article.last_reviewed_on, -12)
        first = build_version(
            article,
            citations=article_citations,
            faqs=article_faqs,
            tag_ids=sorted(article._tag_ids),
            number=1,
            kind=VersionKind.PUBLISHED,
            reviewer=article.reviewer,
            reviewed_on=first_review,
            change_summary="First published",
            published_at=article.published_at,
        )
        second = copied_version(
            first,
            number=2,
            kind=VersionKind.REVIEWED_UNCHANGED,
            reviewer=article.reviewer,
            reviewed_on=article.last_reviewed_on,
            change_summary="Reviewed, no changes",
            published_at=timezone.make_aware(
                datetime.datetime.combine(article.last_reviewed_on, datetime.time(9))
            ),
        )
        versions += [first, second]
        for reviewed_on in (first_review, article.last_reviewed_on):
            sign_offs.append(
                SignOff(
                    article=article,
                    reviewer=article.reviewer,
                    decision=Decision.APPROVED,
                    notes="Synthetic approval for load testing.",
                    reviewed_on=reviewed_on,
                    content_fingerprint=first.content_fingerprint,
                    content=first.content,
                )
            )
        article.content_fingerprint = first.content_fingerprint
        article.presentation_fingerprint = first.presentation_fingerprint
    PublishedVersion.objects.bulk_create(versions)
    PublishedVersion.tags.through.objects.bulk_create(
        PublishedVersion.tags.through(publishedversion_id=version.pk, tag_id=tag_id)
        for version in versions
        for tag_id in version.tag_ids
    )
    SignOff.objects.bulk_create(sign_offs)
    for article, live in zip(created, versions[1::2], strict=True):
        article.live_version = live
        article.live_published_at = live.published_at
        article.live_slug = live.slug
        article.live_category_id = live.category_id
        # Related articles, as refresh_related_articles would choose them within the batch.
        neighbours = [other for other in created if other.category_id == article.category_id]
        neighbours.sort(key=lambda other: -len(other._tag_ids & article._tag_ids))
        article.related_article_ids = [o.pk for o in neighbours if o.pk != article.pk][:6]
    Article.objects.bulk_update(
        created,
        [
            "live_version",
            "live_published_at",
            "live_slug",
            "live_category",
            "content_fingerprint",
            "presentation_fingerprint",
            "related_article_ids",
        ],
    )
    result.articles += len(created)
    result.citations += len(citations)
    result.faqs += len(faqs)
    result.versions += len(versions)
