"""schema.org structured data (JSON-LD) for public pages, built as plain dicts.

Everything comes from what the page shows: an article page from its live version (title,
summary, reviewer, review date, sources, FAQs), never from the working copy. Dates are
written as the page shows them, in the site's time zone. ``to_json_ld`` serialises a dict
for a ``<script type="application/ld+json">`` element, escaping ``<``, ``>`` and ``&`` so
that no text an editor typed can close the element.

Callers pass ``absolute_url`` (``request.build_absolute_uri``) to turn paths into URLs.
"""

import datetime
import json
from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from articles.markdown import html_to_text
from images.renditions import shared_image

SCHEMA_CONTEXT = "https://schema.org"


def _language() -> str:
    """The page's language (the address's, or the article's while its page is rendered)."""
    return translation.get_language() or settings.LANGUAGE_CODE


AbsoluteUrl = Callable[[str], str]

_JSON_LD_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def to_json_ld(data: dict) -> SafeString:
    """The data as JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_JSON_LD_ESCAPES))  # escaped just above


def iso_datetime(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _graph(*nodes: dict | None) -> dict:
    return {"@context": SCHEMA_CONTEXT, "@graph": [node for node in nodes if node]}


def organization(*, absolute_url: AbsoluteUrl) -> dict:
    """The publisher: the site itself."""
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute_url(reverse("website:home")),
    }


def website(*, absolute_url: AbsoluteUrl) -> dict:
    """The site, with its search (a search engine may offer a search box for it)."""
    home = absolute_url(reverse("website:home"))
    search = absolute_url(reverse("website:search"))
    return {
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": settings.SITE_NAME,
        "url": home,
        "inLanguage": _language(),
        "publisher": organization(absolute_url=absolute_url),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb_list(crumbs: Iterable[tuple[str, str]]) -> dict:
    """A BreadcrumbList from (name, absolute URL) pairs, as the visible breadcrumbs list them."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def person(reviewer, *, absolute_url: AbsoluteUrl, with_bio: bool = False) -> dict:
    """A medical reviewer; credentials verbatim as the honorific suffix."""
    data = {
        "@type": "Person",
        "name": reviewer.name,
        "url": absolute_url(reviewer.get_absolute_url()),
    }
    if reviewer.credentials:
        data["honorificSuffix"] = reviewer.credentials
    if reviewer.specialty:
        data["knowsAbout"] = reviewer.specialty
    if with_bio and reviewer.bio.strip():
        data["description"] = reviewer.bio.strip()
    shared = shared_image(reviewer.photo, reviewer.photo_renditions)
    if shared:
        data["image"] = absolute_url(shared[0])
    return data


def _citation(source: dict) -> dict:
    work = {"@type": "CreativeWork", "name": source["title"], "url": source["url"]}
    if source.get("source_name"):
        work["publisher"] = {"@type": "Organization", "name": source["source_name"]}
    if source.get("year"):
        work["datePublished"] = str(source["year"])
    if source.get("doi"):
        work["sameAs"] = f"https://doi.org/{source['doi']}"
    return work


def _work(article, *, absolute_url: AbsoluteUrl) -> dict:
    """Another language version of an article page, as translationOfWork/workTranslation."""
    url = absolute_url(article.get_absolute_url())
    return {"@type": "MedicalWebPage", "@id": f"{url}#webpage", "url": url,
            "inLanguage": article.language}  # fmt: skip


def medical_web_page(
    *,
    article,
    version,
    url: str,
    crumbs: list[tuple[str, str]],
    absolute_url: AbsoluteUrl,
    language_versions=(),
) -> dict:
    """An article page: the live version, who reviewed it and when, and what it cites."""
    page = {
        "@type": "MedicalWebPage",
        "@id": f"{url}#webpage",
        "url": url,
        "mainEntityOfPage": url,
        "name": version.title,
        "headline": version.title,
        "description": version.summary,
        "inLanguage": _language(),
        "datePublished": iso_datetime(article.published_at),
        "dateModified": iso_datetime(version.published_at),
        "lastReviewed": version.reviewed_on.isoformat(),
        "reviewedBy": person(version.reviewer, absolute_url=absolute_url),
        "author": {"@type": "Person", "name": version.author},
        "publisher": organization(absolute_url=absolute_url),
        "about": {"@type": "Thing", "name": version.category.name},
        "citation": [_citation(source) for source in version.sources],
        "breadcrumb": breadcrumb_list(crumbs),
    }
    # The published versions of the same article in other languages.
    source = next((o for o in language_versions if o.pk == article.translation_of_id), None)
    if source is not None:
        page["translationOfWork"] = _work(source, absolute_url=absolute_url)
    translations = [o for o in language_versions if o.translation_of_id == article.pk]
    if translations:
        page["workTranslation"] = [_work(o, absolute_url=absolute_url) for o in translations]
    shared = shared_image(version.hero_image, version.hero_renditions)
    if shared:
        path, width, height = shared
        if path == version.hero_image.url:
            width, height = version.hero_width, version.hero_height
        page["image"] = {
            "@type": "ImageObject",
            "url": absolute_url(path),
            "width": width,
            "height": height,
        }
    return page


def faq_page(*, version, url: str) -> dict | None:
    """The article's FAQs (None when it has none); answers as plain text."""
    if not version.faqs:
        return None
    return {
        "@type": "FAQPage",
        "@id": f"{url}#faq",
        "url": url,
        "inLanguage": _language(),
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq["question"],
                "acceptedAnswer": {"@type": "Answer", "text": html_to_text(faq["answer_html"])},
            }
            for faq in version.faqs
        ],
    }


def article_graph(
    *,
    article,
    version,
    url: str,
    crumbs: list[tuple[str, str]],
    absolute_url: AbsoluteUrl,
    language_versions=(),
) -> dict:
    return _graph(
        medical_web_page(
            article=article,
            version=version,
            url=url,
            crumbs=crumbs,
            absolute_url=absolute_url,
            language_versions=language_versions,
        ),
        faq_page(version=version, url=url),
    )


def profile_graph(
    *, reviewer, url: str, crumbs: list[tuple[str, str]], absolute_url: AbsoluteUrl
) -> dict:
    return _graph(
        {
            "@type": "ProfilePage",
            "@id": f"{url}#webpage",
            "url": url,
            "name": reviewer.name_with_credentials,
            "inLanguage": _language(),
            "breadcrumb": breadcrumb_list(crumbs),
            "mainEntity": person(reviewer, absolute_url=absolute_url, with_bio=True),
        }
    )


def collection_graph(
    *,
    name: str,
    description: str,
    url: str,
    crumbs: list[tuple[str, str]],
) -> dict:
    """A hub page: a category or a tag."""
    return _graph(
        {
            "@type": "CollectionPage",
            "@id": f"{url}#webpage",
            "url": url,
            "name": name,
            "description": description,
            "inLanguage": _language(),
            "breadcrumb": breadcrumb_list(crumbs),
        }
    )


def home_graph(*, absolute_url: AbsoluteUrl) -> dict:
    return _graph(website(absolute_url=absolute_url))


def search_graph(*, name: str, url: str) -> dict:
    return _graph(
        {
            "@type": "SearchResultsPage",
            "url": url,
            "name": name,
            "inLanguage": _language(),
        }
    )
