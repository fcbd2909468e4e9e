"""The content: categories, sources, articles with their citations and FAQs, the published
versions readers see, and the audit trail. One module per model."""

from articles.models.article import (
    LISTING_DEFERRED_FIELDS,
    PRESENTATION_FIELDS,
    PUBLISHED_REQUIRES,
    VERSION_CONTENT_FIELDS,
    Article,
    ArticleQuerySet,
    ArticleStatus,
    published_condition,
)
from articles.models.category import Category
from articles.models.citation import (
    UNVERIFIABLE_LINK_STATUSES,
    Citation,
    citation_key_validator,
    link_check_found_broken,
)
from articles.models.event import ArticleEvent
from articles.models.faq import FAQ
from articles.models.fields import HttpsURLField
from articles.models.source import Source, SourceType
from articles.models.version import ArticleAddress, PublishedVersion, VersionKind

__all__ = [
    "FAQ",
    "LISTING_DEFERRED_FIELDS",
    "PRESENTATION_FIELDS",
    "PUBLISHED_REQUIRES",
    "UNVERIFIABLE_LINK_STATUSES",
    "VERSION_CONTENT_FIELDS",
    "Article",
    "ArticleAddress",
    "ArticleEvent",
    "ArticleQuerySet",
    "ArticleStatus",
    "Category",
    "Citation",
    "HttpsURLField",
    "PublishedVersion",
    "Source",
    "SourceType",
    "VersionKind",
    "citation_key_validator",
    "link_check_found_broken",
    "published_condition",
]
