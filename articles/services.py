"""Business rules for articles: citation integrity and what an article page shows."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from articles.markdown import CitedSource, render_markdown, unknown_citation_keys
from articles.models import Article


def check_citation_markers(*, body: str, citation_keys) -> None:
    """Raise a ValidationError naming each [^key] in the body that has no citation."""
    unknown = unknown_citation_keys(body, citation_keys)
    if not unknown:
        return
    listed = ", ".join(f"[^{key}]" for key in unknown)
    raise ValidationError(
        "The body cites %(listed)s, but this article has no citation with %(that_key)s. "
        "Add a citation with %(that_key)s, or correct the marker in the body.",
        code="unknown_citation_key",
        params={
            "listed": listed,
            "that_key": "that key" if len(unknown) == 1 else "those keys",
        },
    )


@dataclass(frozen=True)
class RenderedFAQ:
    question: str
    answer_html: str


@dataclass(frozen=True)
class RenderedArticle:
    body_html: str
    outline: list[tuple[str, str]]
    faqs: list[RenderedFAQ]


def render_article(*, article: Article) -> RenderedArticle:
    """Render an article's body, numbered sources and FAQs as readers see them.

    Expects ``citations`` (with their sources) and ``faqs`` to be prefetched when called
    for a page, so rendering costs no further queries.
    """
    sources = [
        CitedSource(
            key=citation.key,
            number=number,
            source_name=citation.source.name,
            trust_label=citation.source.trust_label,
            title=citation.title,
            url=citation.url,
        )
        for number, citation in enumerate(article.citations.all(), start=1)
    ]
    body = render_markdown(article.body, citations={s.key: s for s in sources})
    faqs = [
        RenderedFAQ(
            question=faq.question,
            answer_html=render_markdown(faq.answer, id_prefix=f"faq{index}").html,
        )
        for index, faq in enumerate(article.faqs.all(), start=1)
    ]
    return RenderedArticle(body_html=body.html, outline=body.outline, faqs=faqs)
