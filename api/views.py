"""The content API, /api/v1/: read-only JSON of the live versions of published articles,
their topics, reviewers and sources, for partners holding a key (django-ninja; the OpenAPI
description and the docs page are generated from these functions and api/schemas.py)."""

import datetime
from typing import Annotated

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import Greatest
from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja import Path as PathParam
from ninja.errors import ValidationError
from pydantic import Field
from taggit.models import Tag

from api import fragments, payloads, schemas
from api.answers import attribution_for, body_answer, error_answer, json_answer
from api.cursors import BadCursor, after_cursor, cursor_after
from api.keys import KeyRefused, key_for
from api.limits import RateLimited, check_rate_limit
from api.usage import record_request
from articles.models import Article, Category, Source, published_condition
from articles.translations import published_language_versions
from reviewers.models import Reviewer

DESCRIPTION = """\
Medically reviewed articles as JSON: only what readers of the site see, with who reviewed it
and when. Every request needs a key (`Authorization: Bearer <key>`); every answer names the
attribution you must show. See docs/api.md for the rules, webhooks and examples."""


class PartnerKey:
    """Authenticates a request by its key, applies the key's rate limit and counts it."""

    # The security scheme ninja puts in the OpenAPI description.
    openapi_security_schema = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from the publisher: Authorization: Bearer hsk_…",
    }

    def __call__(self, request):
        key = key_for(request.headers.get("Authorization"))
        request.api_key = key
        request.api_requests_left = check_rate_limit(key)
        record_request(key)
        return key


api = NinjaAPI(
    title="healthsite content API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=PartnerKey(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

ERRORS = {400: schemas.Error, 401: schemas.Error, 404: schemas.Error, 429: schemas.Error}


@api.exception_handler(KeyRefused)
def key_refused(request, exc):
    response = error_answer(str(exc), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return response


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = error_answer(
        f"This key may make {exc.limit} requests a minute; wait {exc.retry_after} seconds.",
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def invalid_request(request, exc):
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', 'is not valid')}")
    return error_answer("; ".join(problems) + ". See /api/v1/docs for each parameter.", status=400)


@api.exception_handler(BadCursor)
def bad_cursor(request, exc):
    return error_answer(str(exc), status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_answer(str(exc) or "Not found.", status=404)


def published_articles():
    """Published articles with ``api_updated_at``: the latest change to anything an article's
    answer shows."""
    return Article.objects.published().annotate(
        api_updated_at=Greatest(
            "updated_at",
            "live_version__published_at",
            "live_version__reviewer__updated_at",
            "live_version__category__updated_at",
        )
    )


def live_articles():
    """Published articles with what their answers show, in a fixed number of queries."""
    return (
        published_articles()
        .select_related("live_version__category", "live_version__reviewer")
        .prefetch_related("live_version__tags")
        .defer(
            "body",
            "related_article_ids",
            "readability_note",
            "live_version__rendered_page",
            "live_version__rendered_card",
            "live_version__search_document",
            "live_version__search_text",
            "live_version__content",
        )  # fmt: skip
    )


class ArticleQuery(Schema):
    category: str | None = Field(None, description="A topic's slug (GET /categories).")
    language: str | None = Field(None, description="Only articles in this language, e.g. es.")
    tag: str | None = Field(None, description="A tag's slug.")
    updated_since: datetime.datetime | None = Field(
        None, description="Only articles whose answer changed at or after this time (ISO 8601)."
    )
    reviewed_from: datetime.date | None = Field(
        None, description="Only articles last reviewed on or after this date."
    )
    reviewed_to: datetime.date | None = Field(
        None, description="Only articles last reviewed on or before this date."
    )
    cursor: str | None = Field(None, description="From the previous page's next_cursor.")
    limit: int = Field(20, ge=1, le=100, description="Articles per page, 1 to 100.")


def _filtered(articles, query: ArticleQuery):
    if query.category is not None:
        if not Category.objects.filter(slug=query.category).exists():
            raise Http404(f"No topic “{query.category}”: GET /api/v1/categories lists them.")
        articles = articles.filter(live_version__category__slug=query.category)
    if query.language is not None:
        if query.language not in dict(settings.LANGUAGES):
            codes = ", ".join(dict(settings.LANGUAGES))
            raise Http404(f"No articles are written in “{query.language}”; languages: {codes}.")
        articles = articles.filter(live_version__language=query.language)
    if query.tag is not None:
        if not Tag.objects.filter(slug=query.tag).exists():
            raise Http404(f"No tag “{query.tag}”.")
        articles = articles.filter(live_version__tags__slug=query.tag)
    if query.updated_since is not None:
        articles = articles.filter(api_updated_at__gte=query.updated_since)
    if query.reviewed_from is not None:
        articles = articles.filter(live_version__reviewed_on__gte=query.reviewed_from)
    if query.reviewed_to is not None:
        articles = articles.filter(live_version__reviewed_on__lte=query.reviewed_to)
    return articles


@api.get(
    "/articles",
    response={200: schemas.ArticlePage, 304: None, **ERRORS},
    url_name="articles",
    summary="Published articles, oldest first",
)
def list_articles(request, query: Query[ArticleQuery]):
    """Published articles in order of first publication (oldest first), a page at a time.
    The order never changes: an article published while you page through comes at the end,
    and one unpublished meanwhile shifts nothing. Walk every page with ``next_cursor``."""
    articles = _filtered(published_articles(), query).order_by("published_at", "pk")
    if query.cursor:
        articles = after_cursor(articles, query.cursor)
    stamps = list(articles.values_list(*fragments.STAMP_FIELDS)[: query.limit + 1])
    more = len(stamps) > query.limit
    stamps = stamps[: query.limit]
    next_cursor = (
        cursor_after(stamps[-1][fragments.PUBLISHED_AT], stamps[-1][fragments.PK]) if more else None
    )
    next_url = None
    if next_cursor:
        parameters = request.GET.copy()
        parameters["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{parameters.urlencode()}")
    body = fragments.envelope(
        attribution=attribution_for(request.api_key),
        data=fragments.Dumped("[" + ",".join(_summaries(request, stamps)) + "]"),
        next_cursor=next_cursor,
        next=next_url,
    )
    return body_answer(request, body)


LIST_DEFERRED = tuple(
    f"live_version__{name}" for name in ("body_html", "outline", "sources", "faqs")
)


def _summaries(request, stamps) -> list[str]:
    """The JSON of each article of a page, from the store where it is there (its key read
    from ``stamps``), else built from the models and stored: a fixed number of queries."""
    tags = fragments.tags_of([stamp[fragments.VERSION] for stamp in stamps])
    keys = [fragments.key(request, stamp, tags[stamp[fragments.VERSION]]) for stamp in stamps]
    parts = [fragments.summaries.get(key) for key in keys]
    missing = [stamp[fragments.PK] for stamp, part in zip(stamps, parts, strict=True) if not part]
    if not missing:
        return parts
    built = {}
    for article in live_articles().filter(pk__in=missing).defer(*LIST_DEFERRED):
        part = fragments.dump(schemas.ArticleSummary, payloads.article_summary(request, article))
        version_tags = fragments.tags_of_version(article.live_version)
        fragments.summaries.put(
            fragments.key(request, fragments.stamp_of(article), version_tags), part
        )
        built[article.pk] = part
    # One unpublished since the first query is left out, as it would be a moment later.
    return [
        part or built[stamp[fragments.PK]]
        for stamp, part in zip(stamps, parts, strict=True)
        if part or stamp[fragments.PK] in built
    ]


@api.get(
    "/articles/{article_id}",
    response={200: schemas.ArticleAnswer, 304: None, **ERRORS},
    url_name="article",
    summary="One published article, as its page shows it",
)
def get_article(request, article_id: Annotated[int, PathParam(ge=1, le=2**63 - 1)]):
    """The live version of a published article: its reviewed content, citations with their
    sources' trust labels, FAQs, reviewer and review dates, image and address."""
    stamp = published_articles().filter(pk=article_id).values_list(*fragments.STAMP_FIELDS).first()
    if stamp is None:
        raise Http404(f"No published article has id {article_id}; it may have been unpublished.")
    translations = translations_of(stamp[fragments.PK], stamp[fragments.TRANSLATION_OF])
    in_other_languages = [(other.pk, other.live_version_id) for other in translations]
    tags = fragments.tags_of([stamp[fragments.VERSION]])[stamp[fragments.VERSION]]
    part = fragments.articles.get(fragments.key(request, stamp, tags, in_other_languages))
    if part is None:
        article = live_articles().filter(pk=article_id).first()
        if article is None:
            raise Http404(f"No published article has id {article_id}; it was just unpublished.")
        part = fragments.dump(
            schemas.Article, payloads.article(request, article, translations=translations)
        )
        key = fragments.key(
            request,
            fragments.stamp_of(article),
            fragments.tags_of_version(article.live_version),
            in_other_languages,
        )
        fragments.articles.put(key, part)
    body = fragments.envelope(
        attribution=attribution_for(request.api_key), data=fragments.Dumped(part)
    )
    return body_answer(request, body, last_modified=stamp[fragments.API_UPDATED_AT])


def translations_of(article_id: int, translation_of_id: int | None) -> list[Article]:
    """The article in other languages (articles.translations.language_versions), each with
    its live version's title, language and address."""
    return list(
        published_language_versions(article_id, translation_of_id)
        .select_related("live_version")
        .only("language", "live_version__title", "live_version__slug", "live_version__language")
    )


@api.get(
    "/categories",
    response={200: schemas.CategoryList, 304: None, **ERRORS},
    url_name="categories",
    summary="Topics",
)
def list_categories(request):
    categories = Category.objects.annotate(
        article_count=Count("live_articles", filter=published_condition("live_articles__"))
    ).order_by("name")
    return json_answer(
        request,
        schemas.CategoryList,
        {
            "attribution": attribution_for(request.api_key),
            "data": [payloads.category(request, category) for category in categories],
        },
    )


@api.get(
    "/reviewers",
    response={200: schemas.ReviewerList, 304: None, **ERRORS},
    url_name="reviewers",
    summary="Medical reviewers",
)
def list_reviewers(request):
    return json_answer(
        request,
        schemas.ReviewerList,
        {
            "attribution": attribution_for(request.api_key),
            "data": [
                payloads.reviewer_detail(request, r) for r in Reviewer.objects.order_by("name")
            ],
        },
    )


@api.get(
    "/sources",
    response={200: schemas.SourceList, 304: None, **ERRORS},
    url_name="sources",
    summary="Registered sources and their trust labels",
)
def list_sources(request):
    return json_answer(
        request,
        schemas.SourceList,
        {
            "attribution": attribution_for(request.api_key),
            "data": [payloads.source(request, s) for s in Source.objects.order_by("name")],
        },
    )
