"""Article cards in listings (the home, topic, tag, reviewer and search pages), from the cards
stored with each live version's page (stored_pages.render_card).

A listing reads its page of articles as card rows, one query for the card HTML of each, and
puts the cards in as they are: rendering 20 cards from their models costs more than the
rest of the page. A card that is not current (never stored, or marked stale by a change it
shows) is rendered from its models for this request, in one more query for all such cards;
it is stored when its page is (on the article's next view, or by render_article_pages).
"""

from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from website.stored_pages import CARD_HEADING, CARD_SNIPPET, is_current, render_card

CARD_ROW = ("pk", "live_version__rendered_card", "live_version__rendered_with")


def card_rows(articles: QuerySet) -> QuerySet:
    """The articles as rows ``cards`` takes: (pk, stored card, its marker)."""
    return articles.values_list(*CARD_ROW)


def cards(rows, *, heading_level: int, snippets: dict | None = None) -> list[SafeString]:
    """The cards of these rows, in order, with their titles at ``heading_level`` and, where
    ``snippets`` has one for the article, the snippet of where a search matched."""
    rows = [row[:3] for row in rows]
    rendered = {}
    missing = [pk for pk, card, marker in rows if not is_current(card, marker)]
    if missing:
        for article in Article.objects.filter(pk__in=missing).for_listing():
            rendered[article.pk] = render_card(article, article.live_version)
    heading = f"h{CARD_HEADING}"
    level = f"h{int(heading_level)}"
    listed = []
    for pk, card, _marker in rows:
        card = rendered.get(pk, card)
        card = card.replace(f"<{heading} ", f"<{level} ", 1).replace(
            f"</{heading}>", f"</{level}>", 1
        )
        snippet = (snippets or {}).get(pk)
        card = card.replace(
            CARD_SNIPPET, f'\n    <p class="card__snippet">{snippet}</p>' if snippet else "", 1
        )
        listed.append(mark_safe(card))  # noqa: S308 (rendered by our template; snippets escaped)
    return listed
