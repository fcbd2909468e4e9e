"""Search over what readers can see: the live versions' titles, summaries, bodies and FAQs.

On PostgreSQL, full-text search with ranking over ``PublishedVersion.search_document``, which
a trigger keeps (migration 0009): the title weighs most (A), then the summary (B), then the body
and FAQs (C, ``PublishedVersion.search_text``). The query is parsed as a web search
(``"quoted phrases"``, ``or``, ``-excluded``), so no input is a syntax error. Elsewhere
(SQLite in development and tests), every word must appear in one of those fields,
case-insensitively; title matches come first.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from articles.models import Article

# Longer input is cut, not refused: nobody types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
SEARCH_CONFIG = "english"


def clean_query(raw: str | None) -> str:
    """The query as searched and shown: printable characters only (PostgreSQL refuses NUL),
    spaces collapsed, at most MAX_QUERY_LENGTH characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (raw or ""))
    return " ".join(printable.split())[:MAX_QUERY_LENGTH].strip()


def search_articles(raw_query: str | None) -> QuerySet[Article]:
    """Published articles matching the query, best first, ready for listing.

    An empty query finds nothing.
    """
    query = clean_query(raw_query)
    articles = Article.objects.published().for_listing()
    if not query:
        return articles.none()
    if connection.vendor == "postgresql":
        return _full_text_search(articles, query)
    return _simple_search(articles, query)


def websearch_terms(query: str) -> str:
    """The query as PostgreSQL's websearch syntax may safely read it: at most MAX_TERMS
    words, each with at most one leading "-" (exclude), phrases in quotes kept, and nothing
    that is only punctuation. A run of operators with no word between them otherwise builds
    a query PostgreSQL cannot parse ("tsquery stack too small")."""
    terms = []
    for token in re.findall(r'"[^"]*"|\S+', query):
        if token.startswith('"'):
            words = _WORD.findall(token)
            if words:
                terms.append('"' + " ".join(words) + '"')
            continue
        words = _WORD.findall(token)
        if not words:
            continue
        negated = token.lstrip("(").startswith("-") and token.strip("-()") != ""
        terms.append(("-" if negated else "") + " ".join(words))
    return " ".join(terms[:MAX_TERMS])


_WORD = re.compile(r"\w+")


def _full_text_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    query = websearch_terms(query)
    if not query:
        return articles.none()
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        articles.filter(live_version__search_document=search_query)
        .annotate(rank=SearchRank(F("live_version__search_document"), search_query))
        .order_by("-rank", "-live_published_at", "-pk")
    )


def _simple_search(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    terms = list(dict.fromkeys(query.split()))[:MAX_TERMS]
    matches = Q()
    in_title = Q()
    for term in terms:
        matches &= (
            Q(live_version__title__icontains=term)
            | Q(live_version__summary__icontains=term)
            | Q(live_version__search_text__icontains=term)
        )
        in_title &= Q(live_version__title__icontains=term)
    return (
        articles.filter(matches)
        .annotate(
            title_match=Case(
                When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-title_match", "-live_published_at", "-pk")
    )
