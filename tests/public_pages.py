"""A small, realistic public site for the page audits: HTML validity and browser tests.

One published article with everything an article page can show (hero image, table of
contents, Trusted Source citations with DOI and PMID, health callouts, FAQs, tags, article
history), a second article in the same topic (listings, "Related articles", pagination),
and the reviewer with a photo.
"""

import datetime
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

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


SPANISH_BODY = """\
El dolor lumbar es frecuente y casi siempre mejora solo en unas semanas.[^nhs]

## Qué lo causa

| Hábito | Por qué ayuda |
| --- | --- |
| Levantarse cada 30 minutos | moverse mantiene la espalda flexible |

::: emergency
Pida ayuda urgente si el dolor se acompaña de adormecimiento en las nalgas o de pérdida
del control de la vejiga.[^nhs]
:::
"""


@dataclass
class PublicSite:
    article: object
    second_article: object
    category: object
    reviewer: object
    tag_slug: str
    translation: object = None

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
        if self.translation is not None:  # the same page types in Spanish
            with translation.override("es"):
                paths["home_es"] = reverse("website:home")
                paths["category_es"] = self.category.get_absolute_url()
                paths["search_es"] = reverse("website:search") + "?q=espalda"
            paths["article_es"] = self.translation.get_absolute_url()
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


def build_public_site(
    *, source_url: str = "https://www.nhs.example/conditions/back-pain/", spanish: bool = False
):
    """Create the site; ``source_url`` is where the first citation ("nhs") points. With
    ``spanish``, the first article also has a published Spanish translation, and paths()
    names the Spanish pages too."""
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
    if not spanish:
        return PublicSite(
            article=article,
            second_article=second,
            category=category,
            reviewer=reviewer,
            tag_slug="self-care",
        )
    translated = ArticleFactory(
        draft=True,
        title="Dolor lumbar: causas, cuidados y signos de alarma",
        slug="dolor-lumbar",
        category=category,
        summary=(
            "Casi todo el dolor lumbar mejora con el tiempo. Qué lo provoca y cuándo pedir ayuda."
        ),
        body=SPANISH_BODY,
        author="Maya Lindqvist (traducción: Marta Quiroga)",
        hero_image=image_file("hero-es.jpg", size=(1200, 675)),
        hero_alt="Ilustración de una columna vertebral curvada sobre un fondo azul claro.",
        language="es",
        translation_of=article,
        translated_from=article.live_version,
        tags=["lower-back"],
    )
    CitationFactory(article=translated, key="nhs", source=nhs, title="Back pain", url=source_url)
    FAQFactory(
        article=translated,
        question="¿Debo guardar cama hasta que se me pase?",
        answer="No. Pasar mucho tiempo en la cama suele **retrasar la recuperación**.",
    )
    for name, value in review.items():
        setattr(translated, name, value)
    translated.save()
    republish(translated, published_at=timezone.now() - datetime.timedelta(days=5))
    return PublicSite(
        article=article,
        second_article=second,
        category=category,
        reviewer=reviewer,
        tag_slug="self-care",
        translation=translated,
    )
