"""A small, realistic public site for the page audits: HTML validity and browser tests.

One published article with everything an article page can show (hero image, table of
contents, Trusted Source citations with DOI and PMID, health callouts, FAQs, tags, article
history), a second article in the same topic (listings, "Related articles", pagination),
and the reviewer with a photo.
"""

import datetime
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    SourceFactory,
    image_file,
    republish,
)

BODY = """\
Lower back pain is common, and most of it gets better on its own within a few weeks.[^nhs]

## What causes it

Most lower back pain is not caused by anything serious.[^nhs] It often follows:

- lifting or twisting awkwardly
- sitting for a long time in one position
- a minor strain

### Posture at a desk

| Habit | Why it helps |
| --- | --- |
| Stand up every 30 minutes | moving keeps the back supple |
| Keep the screen at eye level | less bending of the neck |

## Self-care

Keep as active as you can: gentle movement helps recovery more than bed rest.[^lancet]

> Stay active and continue your normal activities as far as you can.

::: info
Most people feel better within six weeks, even without treatment.
:::

## When to get help

::: urgent See a doctor soon if:
- the pain has not improved after a few weeks of self-care
- it stops you doing your normal activities
:::

::: emergency
Get urgent help if the pain comes with numbness around the buttocks or loss of
bladder control.[^nhs]
:::
"""


@dataclass
class PublicSite:
    article: object
    second_article: object
    category: object
    reviewer: object
    tag_slug: str

    def paths(self) -> dict[str, str]:
        """The address of each public page type, by name."""
        paths = {
            "home": reverse("website:home"),
            "article": self.article.get_absolute_url(),
            "category": self.category.get_absolute_url(),
            "tag": reverse("website:tag", args=[self.tag_slug]),
            "reviewer": self.reviewer.get_absolute_url(),
        }
        search = search_path()
        if search:
            paths["search"] = f"{search}?q=back"
        return paths


def search_path() -> str | None:
    """The search page's address once the search feature exists, else None."""
    try:
        return reverse("search")
    except NoReverseMatch:
        pass
    try:
        return reverse("website:search")
    except NoReverseMatch:
        return None


def build_public_site(*, source_url: str = "https://www.nhs.example/conditions/back-pain/"):
    """Create the site; ``source_url`` is where the first citation ("nhs") points."""
    reviewer = ReviewerFactory(
        name="Dr Helena Marwick",
        slug="helena-marwick",
        credentials="MBBS, MRCGP",
        specialty="General practice",
        bio="Helena is a GP in Leeds.\n\nShe reviews articles on back pain and sleep.",
        photo=image_file("helena.jpg", size=(320, 320), color=(120, 90, 80)),
    )
    category = CategoryFactory(
        name="Back pain",
        slug="back-pain",
        description="Causes of back pain, self-care, and when to see a doctor.",
    )
    review = {
        "reviewer": reviewer,
        "last_reviewed_on": datetime.date(2026, 1, 3),
        "next_review_due": datetime.date(2027, 1, 3),
    }
    article = ArticleFactory(
        draft=True,
        title="Lower back pain: causes, self-care and warning signs",
        slug="lower-back-pain",
        category=category,
        summary="Most lower back pain eases with time. What triggers it and when to get help.",
        body=BODY,
        author="Maya Lindqvist",
        hero_image=image_file("hero.jpg", size=(1200, 675)),
        hero_alt="Illustration of a curved spine on a pale blue background.",
        hero_credit="Illustration: healthsite demo content",
        tags=["lower-back", "self-care"],
    )
    nhs = SourceFactory(name="NHS", slug="nhs", trust_label="Governmental authority")
    lancet = SourceFactory(
        name="The Lancet", slug="the-lancet", trust_label="Peer-reviewed journal"
    )
    CitationFactory(article=article, key="nhs", source=nhs, title="Back pain", url=source_url)
    CitationFactory(
        article=article,
        key="lancet",
        source=lancet,
        title="What low back pain is and why we need to pay attention",
        url="https://doi.org/10.1016/S0140-6736(18)30480-X",
        authors="Hartvigsen J, Hancock MJ, Kongsted A, et al.",
        year=2018,
        doi="10.1016/S0140-6736(18)30480-X",
        pmid="29573870",
        accessed_on=datetime.date(2025, 9, 2),
    )
    FAQFactory(
        article=article,
        question="Should I rest in bed until the pain goes away?",
        answer="No. Long periods in bed tend to **slow recovery**; gentle movement helps more.",
    )
    FAQFactory(
        article=article,
        question="Do I need a scan?",
        answer=(
            "Usually not. Scans rarely change how everyday back pain is treated.\n\n"
            "## When a scan helps\n\nWhen a doctor suspects a rare, serious cause."
        ),
    )
    for name, value in review.items():
        setattr(article, name, value)
    article.save()
    republish(article, published_at=timezone.now() - datetime.timedelta(days=60))
    republish(
        article,
        published_at=timezone.now() - datetime.timedelta(days=10),
        change_summary="Added advice on desk posture.",
    )

    second = ArticleFactory(
        title="Staying active with back pain",
        slug="staying-active-with-back-pain",
        category=category,
        summary="Gentle exercise helps most back pain get better sooner.",
        reviewer=reviewer,
        tags=["self-care"],
        published_at=timezone.now() - datetime.timedelta(days=20),
    )
    return PublicSite(
        article=article,
        second_article=second,
        category=category,
        reviewer=reviewer,
        tag_slug="self-care",
    )
