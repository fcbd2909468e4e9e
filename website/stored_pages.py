"""Article pages and their cards, rendered once and stored with the live version they show.

Rendering an article page from its models takes a dozen milliseconds of ORM and template
work (reviewer, category, tags, history, related articles, navigation, meta tags,
structured data), and none of it changes between requests. So the whole page
(website/article_detail.html) is rendered once and stored on the live version. A request
then costs one query for the article with its stored page, and fills in what does vary:
the site's address (the page is stored with ``ORIGIN`` in its absolute URLs), the
"being reviewed" notice once the review date is past its grace period, and the year in the
footer. The page that thanks a reader for their feedback (``?feedback=thanks``) is rendered
for them and not stored. The article's card in listings is rendered and stored with the
page, current with it, and listings put the stored cards in (``cards``).

A stored page is current while its ``rendered_with`` equals rendering_fingerprint(). It
stops being current in two ways, which are served differently:

- something it shows changes: website/invalidation.py marks it stale (mark_pages_stale
  writes a ``stale:`` marker), and it is rendered again on its next view, so a reader never
  gets outdated content (a new publication has a new version, never rendered yet);
- a deploy changes the templates, static files or the apps' code, so the fingerprint
  changes: the page still shows the version's content as it is, so readers keep getting
  that rendering until ``render_article_pages`` (render_stale_pages), run in the background
  by the deploy, renders it again. In development (DEBUG) such a page is rendered again on
  its next view, so a template edit shows at once.
"""

import contextlib
import functools
import hashlib
import uuid
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from articles.models import Article, PublishedVersion
from articles.translations import language_versions
from articles.versions import tags_of
from website import context_processors, languages, structured_data
from website.page_meta import article_meta

# Absolute URLs in a stored page start with this; each request puts its own origin in.
ORIGIN = "https://stored-page.invalid"
REVIEW_NOTICE = "<!--review-notice-->"
# A translation's page is stored with its out-of-date notice between these; each request
# keeps it only once the translation has lagged its source past the grace period.
TRANSLATION_NOTICE = ("<!--translation-notice-->", "<!--/translation-notice-->")
COPYRIGHT_YEAR = "<!--year-->"

# What a stored page is rendered from, besides the data: the project's templates, static
# files (their hashed names are in the page), the code of the apps and these settings.
_SOURCE_ROOTS = (
    "templates",
    "static",
    "healthsite",
    "reviewers",
    "articles",
    "feedback",
    "website",
    "locale",
)
_SOURCE_SUFFIXES = {
    *(".html", ".txt", ".py", ".css", ".js", ".svg", ".png", ".webp", ".woff2"),
    ".po",  # the interface's translations
}
_SETTINGS = ("SITE_NAME", "STATIC_URL", "MEDIA_URL", "TIME_ZONE", "LANGUAGE_CODE", "LANGUAGES")


class _StoredPageRequest:
    """Stands in for the request while a page is rendered to be stored."""

    def build_absolute_uri(self, location):
        return urljoin(f"{ORIGIN}/", location)


def _source_files():
    base = Path(settings.BASE_DIR)
    for root in _SOURCE_ROOTS:
        for path in sorted((base / root).rglob("*")):
            if (
                path.is_file()
                and path.suffix in _SOURCE_SUFFIXES
                and "migrations" not in path.parts
            ):
                yield path


@functools.lru_cache(maxsize=8)
def _fingerprint(stamp) -> str:
    digest = hashlib.sha256()
    digest.update(repr([getattr(settings, name) for name in _SETTINGS]).encode())
    for path in _source_files():
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _deployed_fingerprint() -> str:
    return _fingerprint(None)


def rendering_fingerprint() -> str:
    """A digest of the templates, code and settings that render a stored page. Read once per
    process; in development (DEBUG), again whenever a file changes, as runserver reloads
    templates without restarting."""
    if not settings.DEBUG:
        return _deployed_fingerprint()
    return _fingerprint(tuple((p, p.stat().st_mtime_ns) for p in _source_files()))


def render_page(
    article: Article, version: PublishedVersion, *, is_preview: bool, request=None
) -> str:
    with translation.override(version.language):
        return _render_page(article, version, is_preview=is_preview, request=request)


def _render_page(article, version, *, is_preview, request) -> str:
    """The article's page showing ``version``: its live version, or a preview's unsaved one,
    with markers where page_for_request puts in what varies by request or day. Without a
    ``request`` the feedback section shows its form (the page to store).

    Everything readers see of the article comes from ``version`` (its content, address,
    topic, tags, image, sample notice) or from the workflow (review dates); ``article`` comes
    with the live version's category, tags (prefetched) and reviewer.
    """
    stand_in = _StoredPageRequest()
    tags = list(tags_of(version))
    # A preview ranks related articles now, as they would be once the article is published.
    related = (
        [
            listed_card(render_card(other, other.live_version), heading_level=3)
            for other in Article.objects.related_to(version)
        ]
        if is_preview
        else related_cards(article)
    )
    versions = language_versions(article) if not is_preview else []
    source = next((other for other in versions if other.pk == article.translation_of_id), None)
    links = languages.article_links(article, versions, url=version.get_absolute_url())
    page_meta = article_meta(
        stand_in,
        article=article,
        version=version,
        tags=tags,
        is_preview=is_preview,
        alternates=languages.alternates(links, stand_in.build_absolute_uri),
    )
    markers = {  # constants
        "review_notice": mark_safe(REVIEW_NOTICE),  # noqa: S308
        "copyright_year": mark_safe(COPYRIGHT_YEAR),  # noqa: S308
    }
    if source is not None:
        notice = render_to_string("website/includes/translation_notice.html", {"source": source})
        markers["translation_notice"] = mark_safe(  # noqa: S308 (rendered just above)
            TRANSLATION_NOTICE[0] + notice + TRANSLATION_NOTICE[1]
        )
    return render_to_string(
        "website/article_detail.html",
        {
            **context_processors.site(None),  # rendered without a request
            "current_category_slug": version.category.slug,
            "article": article,
            "version": version,
            "tags": tags,
            "history": article.versions.history() if article.live_version_id else [],
            "is_preview": is_preview,
            "related": related,
            "language_links": links,
            "language_versions": versions,
            "page_meta": page_meta,
            # A preview is not public: no structured data describes it.
            "structured_data": None
            if is_preview
            else _structured_data(
                article, version, url=page_meta.canonical_url, stand_in=stand_in, others=versions
            ),
            "request": request,
            **markers,
        },
    )


def _structured_data(article, version, *, url, stand_in, others):
    absolute = stand_in.build_absolute_uri
    crumbs = [  # as website/includes/breadcrumbs.html shows them
        (gettext("Home"), absolute(reverse("website:home"))),
        (version.category.name, absolute(version.category.get_absolute_url())),
        (version.title, url),
    ]
    return structured_data.to_json_ld(
        structured_data.article_graph(
            article=article,
            version=version,
            url=url,
            crumbs=crumbs,
            absolute_url=absolute,
            language_versions=others,
        )
    )


# The columns a request for a published article page reads (one query).
STORED_PAGE_FIELDS = (
    "live_slug",
    "status",
    "published_at",
    "next_review_due",
    "source_changed_at",
    "language",
    "live_version__rendered_page",
    "live_version__rendered_with",
    # Named in the page's cache tags (cache_tags.py).
    "live_version__category",
    "live_version__reviewer",
)


# What a page is rendered without: the version's review record, search columns, page and card.
NOT_RENDERED_FIELDS = (
    "content",
    "search_text",
    "search_document",
    "rendered_page",
    "rendered_card",
)


# How a stored page is marked when something it shows changes (followed by a random part).
STALE = "stale:"


def stale_marker() -> str:
    return f"{STALE}{uuid.uuid4().hex}"


def shows_current_content(version: PublishedVersion) -> bool:
    """Whether the version's stored page, current or rendered by an earlier release, shows
    what readers should see: it was rendered and nothing it shows changed since."""
    return is_current(version.rendered_page, version.rendered_with)


def is_current(stored: str, marker: str) -> bool:
    """Whether a stored page or card, stored with ``marker``, shows what readers should see
    (see shows_current_content)."""
    if not stored:
        return False
    if marker == rendering_fingerprint():
        return True
    return bool(marker) and not (marker.startswith(STALE) or settings.DEBUG)


def published_page(request, article: Article) -> str:
    """The page of a published article, loaded with STORED_PAGE_FIELDS: stored, or rendered
    and stored first if what the stored one shows changed."""
    version = article.live_version
    read_marker = version.rendered_with
    thanked = request.GET.get("feedback") == "thanks"
    if shows_current_content(version) and not thanked:
        return page_for_request(request, article, version.rendered_page)
    article = _for_rendering().get(pk=article.pk)
    if thanked:
        page = render_page(article, article.live_version, is_preview=False, request=request)
        return page_for_request(request, article, page)
    page = render_page(article, article.live_version, is_preview=False)
    _store(article, page, read_marker=read_marker)
    return page_for_request(request, article, page)


def render_stale_pages(*, batch_size: int = 20) -> int:
    """Render and store the page of every published article whose stored page is not
    current, so that no reader waits for it after a deploy or a change shown on every page.
    Returns how many were stored.

    Works through the pages in batches, in order: an interrupted run leaves the pages it
    stored current, and the next run takes only the rest. Several may run at once (one per
    server after a deploy): on PostgreSQL each batch is claimed with ``FOR UPDATE SKIP
    LOCKED``, so each run renders other pages; elsewhere they may render the same page
    twice, and the marker check keeps either result correct.
    """
    fingerprint = rendering_fingerprint()
    claims = connection.features.has_select_for_update_skip_locked
    stored, after = 0, 0
    while True:
        with transaction.atomic() if claims else contextlib.nullcontext():
            stale = (
                PublishedVersion.objects.filter(
                    live_article__in=Article.objects.published(), pk__gt=after
                )
                .exclude(rendered_with=fingerprint)
                .order_by("pk")
            )
            if claims:
                stale = stale.select_for_update(skip_locked=True, of=("self",))
            batch = list(stale.values_list("pk", "live_article__pk")[:batch_size])
            if not batch:
                return stored
            for _version_id, article_id in batch:
                # The marker is read with the data, in one query.
                article = _for_rendering().get(pk=article_id)
                page = render_page(article, article.live_version, is_preview=False)
                stored += _store(article, page, read_marker=article.live_version.rendered_with)
            after = batch[-1][0]


def _for_rendering():
    return (
        Article.objects.select_related(
            "live_category", "live_version__category", "live_version__reviewer"
        )
        .prefetch_related("live_version__tags")
        .defer(*(f"live_version__{name}" for name in NOT_RENDERED_FIELDS))
    )


def _store(article, page: str, *, read_marker: str) -> int:
    """Store the live version's page, with its card, if nothing was marked stale since the
    marker was read: a change committed while this page was rendered (from the older data)
    leaves it unstored."""
    card = render_card(article, article.live_version)
    return PublishedVersion.objects.filter(
        pk=article.live_version_id, rendered_with=read_marker
    ).update(rendered_page=page, rendered_card=card, rendered_with=rendering_fingerprint())


# In a stored card the title's heading is <hN>; each listing gives it its level. The snippet
# of where a search matched goes in after the summary.
CARD_HEADING = "N"
CARD_SNIPPET = "<!--card-snippet-->"


def render_card(article: Article, version: PublishedVersion) -> str:
    """The article's card in listings, showing ``version``; ``article`` comes with its live
    category and the version with its reviewer (Article.objects.for_listing())."""
    with translation.override(version.language):
        return render_to_string(
            "website/includes/article_card.html",
            {
                "article": article,
                "heading_level": CARD_HEADING,
                "snippet": mark_safe(CARD_SNIPPET),  # noqa: S308 (a constant)
            },
        )


# Listings (the home, topic, tag, reviewer and search pages and an article's related
# articles) read their page of articles as card rows, one query for the stored card of each,
# and put the cards in as they are: rendering 20 cards from their models costs more than the
# rest of the page. A card that is not current (never stored, or marked stale by a change it
# shows) is rendered from its models for this request, in one more query for all such cards;
# it is stored when its page is.
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
    snippets = snippets or {}
    return [
        listed_card(rendered.get(pk, card), heading_level=heading_level, snippet=snippets.get(pk))
        for pk, card, _marker in rows
    ]


def listed_card(card: str, *, heading_level: int, snippet: SafeString | None = None) -> SafeString:
    """A card as stored or rendered by render_card, as one listing shows it."""
    heading, level = f"h{CARD_HEADING}", f"h{int(heading_level)}"
    card = card.replace(f"<{heading} ", f"<{level} ", 1).replace(f"</{heading}>", f"</{level}>", 1)
    card = card.replace(
        CARD_SNIPPET, f'\n    <p class="card__snippet">{snippet}</p>' if snippet else "", 1
    )
    return mark_safe(card)  # noqa: S308 (rendered by our template; snippets are escaped)


def related_cards(article: Article, *, limit: int = 3) -> list[SafeString]:
    """The cards of the article's stored related articles that are still published, in
    their stored order (articles/related.py chooses them)."""
    ids = article.related_article_ids or []
    published = Article.objects.published().filter(pk__in=ids)
    rows = {row[0]: row for row in card_rows(published)}
    return cards([rows[pk] for pk in ids if pk in rows][:limit], heading_level=3)


def page_for_request(request, article, page: str, *, is_preview: bool = False) -> str:
    """The page with this request's origin, the review notice (when due) and year put in."""
    notice = ""
    if not is_preview and article.is_being_rereviewed:
        notice = render_to_string("website/includes/review_notice.html")
    start, end = TRANSLATION_NOTICE
    if start in page and (is_preview or not article.shows_outdated_translation_notice):
        before, _, rest = page.partition(start)
        page = before + rest.partition(end)[2]
    page = page.replace(ORIGIN, f"{request.scheme}://{request.get_host()}")
    page = page.replace(REVIEW_NOTICE, notice, 1)
    return page.replace(COPYRIGHT_YEAR, str(timezone.localdate().year), 1)
