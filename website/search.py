"""Search over what readers can see: the live versions' titles, summaries, bodies and FAQs.

Each database searches its own full-text index (articles/search_index.py): SQLite's FTS5
table, ranked with ``bm25`` and column weights; PostgreSQL's weighted ``tsvector``, ranked
with ``ts_rank`` (title A, summary B, body and FAQs C). The query is read as a web search:
every word must match, ``"quoted phrases"``, ``or`` between words, ``-excluded``; words are
stemmed, so no input is a syntax error.

The work per request is bounded however many articles match: search takes at most
``TITLE_CANDIDATES`` articles whose title matches and ``OTHER_CANDIDATES`` more that match
anywhere (the most recently published first, straight from the index), ranks only those,
title matches first, and lists them; readers are told when there were more. Snippets of
where the words matched are made only for the page shown.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleStatus
from articles.search_index import SQLITE_TABLE, TITLE_DOCUMENT
from website.stored_pages import CARD_ROW

# Longer input is cut, not refused: nobody types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
# The text search configuration on PostgreSQL (a language's stemming and stop words), for
# each language; migration 0016 builds each version's document with its own language's.
SEARCH_CONFIG = "english"
SEARCH_CONFIGS = {"en": "english", "es": "spanish"}


def search_config(language: str) -> str:
    return SEARCH_CONFIGS.get(language, SEARCH_CONFIG)


TITLE_CANDIDATES = 100
OTHER_CANDIDATES = 400
# bm25 weights of the FTS5 columns: title, summary, body and FAQs.
SQLITE_WEIGHTS = (10.0, 4.0, 1.0)
# Around the matched words in a snippet until they are escaped and marked (private use).
_START, _STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_START}([^{_START}{_STOP}]*){_STOP}")
_WORD = re.compile(r"\w+")


def clean_query(raw: str | None) -> str:
    """The query as searched and shown: printable characters only (PostgreSQL refuses NUL),
    spaces collapsed, at most MAX_QUERY_LENGTH characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (raw or ""))
    return " ".join(printable.split())[:MAX_QUERY_LENGTH].strip()


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


@dataclass(frozen=True)
class Terms:
    """A query read as a web search: every group must match (any one phrase of it), no
    excluded phrase may; a phrase is its words in order."""

    groups: tuple[tuple[tuple[str, ...], ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()

    def __bool__(self):
        return bool(self.groups)


def parse_terms(query: str) -> Terms:
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    either = False
    for token in re.findall(r'-?"[^"]*"|\S+', websearch_terms(query)):
        words = tuple(_WORD.findall(token))
        if token.lower() == "or" and groups and not either:
            either = True
            continue
        if token.startswith("-"):
            excluded.append(words)
        elif either:
            groups[-1].append(words)
        elif token.startswith('"'):
            groups.append([words])
        else:
            groups += [[(word,)] for word in words]
        either = False
    return Terms(tuple(tuple(group) for group in groups), tuple(excluded))


def fts5_query(terms: Terms, *, title_only: bool = False) -> str:
    """The terms as an FTS5 query: each phrase quoted (its words are \\w+, so it cannot be
    read as syntax); ``title_only`` restricts the required phrases to the title."""

    def phrases(group):
        return "(" + " OR ".join('"' + " ".join(words) + '"' for words in group) + ")"

    required = " AND ".join(phrases(group) for group in terms.groups)
    if title_only:
        required = "{title} : (" + required + ")"
    if terms.excluded:
        required = f"({required}) NOT {phrases(terms.excluded)}"
    return required


def highlighted(snippet: str | None) -> SafeString:
    """The snippet escaped, with the matched words (and nothing else) in <mark>; empty if
    no word of the query is in it (it matched only the title or summary)."""
    text = escape(snippet or "")
    text, marked = _MARKED.subn(r"<mark>\1</mark>", text)
    if not marked:
        return mark_safe("")
    return mark_safe(text.replace(_START, "").replace(_STOP, ""))  # noqa: S308 (escaped above)


@dataclass
class SearchResults:
    """The ranked matches of a query, as a sequence the Paginator can page through: at most
    TITLE_CANDIDATES + OTHER_CANDIDATES articles; ``more`` says there were others."""

    query: str
    config: str = SEARCH_CONFIG
    language: str = settings.LANGUAGE_CODE  # only articles in this language are found
    terms: Terms = field(init=False)

    def __post_init__(self):
        self.terms = parse_terms(self.query)

    @cached_property
    def _ranked(self) -> tuple[list[int], bool]:
        if not self.terms:
            return [], False
        if connection.vendor == "postgresql":
            sql, params = self._postgresql_ranking()
        else:
            sql, params = self._sqlite_ranking()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        more = sum(1 for _pk, tier in rows if tier == 1) >= OTHER_CANDIDATES
        return [pk for pk, _tier in rows], more

    @property
    def ids(self) -> list[int]:
        return self._ranked[0]

    @property
    def more(self) -> bool:
        return self._ranked[1]

    def count(self) -> int:
        return len(self.ids)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        """The matches as card rows (website/stored_pages.py), named, with each article's
        ``live_slug`` and ``search_snippet``."""
        ids = self.ids[index]
        if not isinstance(index, slice):
            ids = [ids]
        rows = (
            Article.objects.filter(pk__in=ids)
            .annotate(search_snippet=self._snippet())
            .values_list(*CARD_ROW, "live_slug", "search_snippet", named=True)
            if ids
            else []
        )
        found = {
            row.pk: row._replace(search_snippet=highlighted(row.search_snippet)) for row in rows
        }
        matches = [found[pk] for pk in ids if pk in found]
        return matches if isinstance(index, slice) else matches[0]

    def _published(self):
        return (
            "a.status = %s AND a.published_at <= %s AND a.language = %s",
            [ArticleStatus.PUBLISHED.value, timezone.now(), self.language],
        )

    def _sqlite_ranking(self):
        published, published_params = self._published()
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
        # Title matches are ranked by the query plus its title part (title words count
        # twice); the rest by the query.
        everywhere = fts5_query(self.terms)
        in_title = f"({everywhere}) AND ({fts5_query(self.terms, title_only=True)})"

        index = SQLITE_TABLE  # FTS5 takes no alias in MATCH or bm25()

        def candidates(exclude_title_matches):
            others = f"AND {index}.rowid NOT IN (SELECT version_id FROM title_matches)"
            return f"""
                SELECT a.id AS article_id, {index}.rowid AS version_id,
                       bm25({index}, {weights}) AS score, a.live_published_at
                FROM {index} JOIN articles_article a ON a.live_version_id = {index}.rowid
                WHERE {index} MATCH %s AND {published}
                {others if exclude_title_matches else ""}
                ORDER BY {index}.rowid DESC LIMIT %s"""

        sql = f"""
            WITH title_matches AS MATERIALIZED ({candidates(False)}),
            other_matches AS MATERIALIZED ({candidates(True)})
            SELECT article_id, tier FROM (
                SELECT *, 0 AS tier FROM title_matches
                UNION ALL SELECT *, 1 AS tier FROM other_matches
            ) ORDER BY tier, score, live_published_at DESC, article_id DESC"""
        params = [in_title, *published_params, TITLE_CANDIDATES]
        params += [everywhere, *published_params, OTHER_CANDIDATES]
        return sql, params

    def _postgresql_ranking(self):
        published, published_params = self._published()
        # The title index (articles.search_index) is English's; another language's title
        # matches are found among that language's articles without it.
        title = TITLE_DOCUMENT.format(config=self.config, row="v.")

        def candidates(condition):
            return f"""
                SELECT a.id AS article_id, v.id AS version_id, a.live_published_at
                FROM articles_publishedversion v
                JOIN articles_article a ON a.live_version_id = v.id, query
                WHERE v.search_document @@ query.q AND {condition} AND {published}
                ORDER BY v.id DESC LIMIT %s"""

        sql = f"""
            WITH query AS (SELECT websearch_to_tsquery(%s::regconfig, %s) AS q),
            title_matches AS MATERIALIZED ({candidates(f"{title} @@ query.q")}),
            other_matches AS MATERIALIZED (
                {candidates("v.id NOT IN (SELECT version_id FROM title_matches)")}),
            candidates AS (
                SELECT *, 0 AS tier FROM title_matches
                UNION ALL SELECT *, 1 AS tier FROM other_matches)
            SELECT c.article_id, c.tier
            FROM candidates c JOIN articles_publishedversion v ON v.id = c.version_id, query
            ORDER BY c.tier, ts_rank(v.search_document, query.q) DESC,
                     c.live_published_at DESC, c.article_id DESC"""
        params = [self.config, websearch_terms(self.query)]
        params += [*published_params, TITLE_CANDIDATES, *published_params, OTHER_CANDIDATES]
        return sql, params

    def _snippet(self) -> RawSQL:
        """Where the words matched in the body or FAQs, for the articles of one page."""
        if connection.vendor == "postgresql":
            options = (
                f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, "
                'MaxFragments=2, FragmentDelimiter=" … "'
            )
            return RawSQL(
                "SELECT ts_headline(%s::regconfig, v.search_text, "
                "websearch_to_tsquery(%s::regconfig, %s), %s) FROM articles_publishedversion v "
                "WHERE v.id = articles_article.live_version_id",
                [self.config, self.config, websearch_terms(self.query), options],
            )
        return RawSQL(
            f"SELECT snippet({SQLITE_TABLE}, 2, %s, %s, '…', 24) FROM {SQLITE_TABLE} "
            f"WHERE {SQLITE_TABLE} MATCH %s AND rowid = articles_article.live_version_id",
            [_START, _STOP, fts5_query(self.terms)],
        )


def search_articles(raw_query: str | None, *, language: str | None = None) -> SearchResults:
    """Published articles in the language (the default one when not given) matching the
    query, best first, as card rows with a ``search_snippet``. An empty query, or
    one with no word to look for, finds nothing."""
    language = language or settings.LANGUAGE_CODE
    return SearchResults(clean_query(raw_query), config=search_config(language), language=language)
