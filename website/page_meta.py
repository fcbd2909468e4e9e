"""What the head of a public page says about it: title, description, canonical URL, robots,
feeds, Open Graph and Twitter card tags (rendered by templates/includes/meta_tags.html).

Each public view builds one ``PageMeta``; URLs are absolute, built from the request.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from images.renditions import shared_image
from website.structured_data import iso_datetime

SITE_DESCRIPTION = gettext_lazy(
    "Health information you can trust: every article is medically reviewed and every claim "
    "is linked to its source."
)


# Open Graph names a locale with its country; the site's English is British.
OG_LOCALES = {"en": "en_GB", "es": "es_ES"}


@dataclass(frozen=True)
class SocialImage:
    url: str
    width: int | None
    height: int | None
    alt: str


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str


@dataclass(frozen=True)
class PageMeta:
    title: str  # the document <title>
    description: str
    canonical_url: str
    og_type: str = "website"  # "article", "profile" or "website"
    share_title: str = ""  # og:title and twitter:title; the title without the site name
    image: SocialImage | None = None
    robots: str = ""  # e.g. "noindex"; empty: the default (index, follow)
    feeds: tuple[FeedLink, ...] = ()
    og_properties: tuple[tuple[str, str], ...] = ()  # e.g. ("article:section", "Back Pain")
    # (hreflang, absolute URL) of each language version, with x-default (website/languages.py)
    alternates: tuple[tuple[str, str], ...] = ()

    @property
    def og_locale(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return OG_LOCALES.get(language, translation.to_locale(language))

    @property
    def og_title(self) -> str:
        return self.share_title or self.title

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def canonical_url(request, path: str | None = None, *, page_number: int | None = None) -> str:
    """The page's absolute address without a query string, except ``?page=N`` after page 1."""
    url = request.build_absolute_uri(path or request.path)
    if page_number and page_number > 1:
        url = f"{url}?page={page_number}"
    return url


def titled(title: str) -> str:
    return f"{title} | {settings.SITE_NAME}"


def social_image(request, image, renditions, *, width, height, alt) -> SocialImage | None:
    """An image as shared pages name it (images.renditions.shared_image)."""
    shared = shared_image(image, renditions)
    if shared is None:
        return None
    path, shared_width, shared_height = shared
    if path == image.url:  # no renditions yet
        shared_width, shared_height = width, height
    return SocialImage(
        url=request.build_absolute_uri(path), width=shared_width, height=shared_height, alt=alt
    )


def hero_image(request, version) -> SocialImage | None:
    return social_image(
        request,
        version.hero_image,
        version.hero_renditions,
        width=version.hero_width,
        height=version.hero_height,
        alt=version.hero_alt,
    )


def site_feed(request) -> FeedLink:
    return FeedLink(
        title=gettext("%(site)s: latest articles") % {"site": settings.SITE_NAME},
        url=request.build_absolute_uri(reverse("website:feed")),
    )


def category_feed(request, category) -> FeedLink:
    return FeedLink(
        title=f"{settings.SITE_NAME}: {category.name}",
        url=request.build_absolute_uri(reverse("website:category_feed", args=[category.slug])),
    )


def article_meta(
    request, *, article, version, tags=(), is_preview=False, alternates=()
) -> PageMeta:
    """An article page: its live version's title and summary (a preview: the working copy's,
    never indexed)."""
    properties = [("article:section", version.category.name)]
    if version.published_at:
        properties.insert(0, ("article:modified_time", iso_datetime(version.published_at)))
    if article.published_at and not is_preview:
        properties.insert(0, ("article:published_time", iso_datetime(article.published_at)))
    properties += [("article:tag", tag.name) for tag in tags]
    return PageMeta(
        title=titled(version.title),
        share_title=version.title,
        description=version.summary,
        canonical_url=canonical_url(request, version.get_absolute_url()),
        og_type="article",
        image=hero_image(request, version),
        robots="noindex, nofollow" if is_preview else "",
        og_properties=tuple(properties),
        alternates=alternates,
    )
