"""What the API says of each record, as plain data in the shapes of api/schemas.py.

An article's answer is built from its live version only, as its page is: the reviewed
content, address, topic, tags, byline, image and sample flag are the version's; the review
dates are the workflow's (the version's review date, the article's next review due).
"""

import functools

from django.urls import reverse
from django.utils import translation

from articles.markdown import html_to_text

# A body's plain text depends on its HTML alone, and a version's HTML never changes: the
# text of the bodies and answers read most is kept in each process, by the HTML itself.
plain_text = functools.lru_cache(maxsize=512)(html_to_text)


@functools.cache
def _pattern(name: str, argument: str, language: str) -> str:
    return reverse(name, kwargs={argument: "__value__"}).replace("__value__", "{}")


def absolute(request, path: str) -> str:
    """``request.build_absolute_uri(path)`` for a path, with the origin worked out once."""
    origin = getattr(request, "_api_origin", None)
    if origin is None:
        origin = request._api_origin = f"{request.scheme}://{request.get_host()}"
    return origin + path


def link(request, name: str, argument: str, value) -> str:
    """The absolute URL of a named route with one argument: what reverse() gives, without
    resolving the route again for each of a page's dozens of links."""
    return absolute(request, _pattern(name, argument, translation.get_language()).format(value))


def _image(request, image, renditions, *, width, height, alt="", credit="") -> dict | None:
    if not image:
        return None
    storage = image.storage
    return {
        "url": absolute(request, image.url),
        "width": width,
        "height": height,
        "alt": alt,
        "credit": credit,
        "renditions": [
            {
                "url": absolute(request, storage.url(r["name"])),
                "width": r["width"],
                "height": r["height"],
                "format": r["format"],
            }
            for r in sorted(renditions or [], key=lambda r: (r["format"], r["width"]))
        ],
    }


def category_ref(request, category) -> dict:
    return {
        "id": category.pk,
        "slug": category.slug,
        "name": category.name,
        "url": link(request, "website:category", "slug", category.slug),
    }


def category(request, category) -> dict:
    return {
        **category_ref(request, category),
        "description": category.description,
        "article_count": category.article_count,
    }


def tag(request, tag) -> dict:
    return {
        "slug": tag.slug,
        "name": tag.name,
        "url": link(request, "website:tag", "slug", tag.slug),
    }


def reviewer(request, reviewer) -> dict:
    return {
        "id": reviewer.pk,
        "slug": reviewer.slug,
        "name": reviewer.name,
        "credentials": reviewer.credentials,
        "name_with_credentials": reviewer.name_with_credentials,
        "specialty": reviewer.specialty,
        "url": link(request, "website:reviewer", "slug", reviewer.slug),
        "photo": _image(
            request,
            reviewer.photo,
            reviewer.photo_renditions,
            width=reviewer.photo_width,
            height=reviewer.photo_height,
            alt=f"Portrait of {reviewer.name}",
        ),
    }


def reviewer_detail(request, reviewer_) -> dict:
    return {**reviewer(request, reviewer_), "bio": reviewer_.bio}


def source(request, source) -> dict:
    return {
        "id": source.pk,
        "slug": source.slug,
        "name": source.name,
        "source_type": source.source_type,
        "source_type_label": source.get_source_type_display(),
        "trust_label": source.trust_label,
        "url": source.url,
    }


def article_summary(request, article) -> dict:
    """``article`` comes with its live version, the version's category, reviewer and tags
    (prefetched), and ``api_updated_at`` (ArticleQuerySet annotations in api/views.py)."""
    version = article.live_version
    return {
        "id": article.pk,
        "slug": version.slug,
        "title": version.title,
        "summary": version.summary,
        "url": absolute(request, version.get_absolute_url()),
        "api_url": link(request, "api:article", "article_id", article.pk),
        "language": version.language,
        "translation_of": article.translation_of_id,
        "translation_out_of_date": article.translation_is_out_of_date,
        "category": category_ref(request, version.category),
        "tags": [tag(request, t) for t in sorted(version.tags.all(), key=lambda t: t.name)],
        "author": version.author,
        "reviewer": reviewer(request, version.reviewer),
        "first_published_at": article.published_at,
        "version_published_at": version.published_at,
        "updated_at": article.api_updated_at,
        "last_reviewed_on": version.reviewed_on,
        "next_review_due": article.next_review_due,
        "being_reviewed": article.is_being_rereviewed,
        "is_sample": version.is_sample,
        "hero_image": _image(
            request,
            version.hero_image,
            version.hero_renditions,
            width=version.hero_width,
            height=version.hero_height,
            alt=version.hero_alt,
            credit=version.hero_credit,
        ),
    }


def _citation(entry: dict) -> dict:
    return {
        name: entry.get(name)
        for name in (
            "number", "key", "title", "url", "authors", "year", "doi", "pmid", "accessed_on",
            "source_name", "source_url", "source_type", "trust_label",
        )
    }  # fmt: skip


def article(request, article_, *, translations=()) -> dict:
    version = article_.live_version
    return {
        **article_summary(request, article_),
        "body_html": version.body_html,
        "body_text": plain_text(version.body_html),
        "outline": [list(entry) for entry in version.outline],
        "citations": [_citation(entry) for entry in version.sources],
        "faqs": [
            {
                "question": faq["question"],
                "answer_html": faq["answer_html"],
                "answer_text": plain_text(faq["answer_html"]),
            }
            for faq in version.faqs
        ],
        "translations": [
            {
                "id": other.pk,
                "language": other.live_version.language,
                "title": other.live_version.title,
                "url": absolute(request, other.live_version.get_absolute_url()),
                "api_url": link(request, "api:article", "article_id", other.pk),
            }
            for other in translations
        ],
        "version": version.number,
    }
