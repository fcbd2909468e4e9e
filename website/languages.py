"""A page's language versions: the hreflang alternates in its head and the language switcher.

An article's other language versions are other articles (articles.translations); every
other public page (home, topics, tags, reviewers) exists at the same address in each language.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # the language's own name ("Español")
    url: str  # the page in that language, or that language's home page when there is none
    is_current: bool
    exists: bool  # whether this page has a version in that language


def language_names() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def article_links(article, others, *, url: str) -> list[LanguageLink]:
    """The switcher of an article page: the article itself and its ``others`` (its
    published language versions), and for a language with none, that language's home page."""
    by_language = {other.language: other for other in others}
    links = []
    for code, name in settings.LANGUAGES:
        if code == article.language:
            links.append(LanguageLink(code, name, url, True, True))
        elif code in by_language:
            links.append(
                LanguageLink(code, name, by_language[code].get_absolute_url(), False, True)
            )
        else:
            with translation.override(code):
                home = reverse("website:home")
            links.append(LanguageLink(code, name, home, False, False))
    return links


def page_links(path: str) -> list[LanguageLink]:
    """The switcher of any other public page: the same address in each language."""
    current = translation.get_language()
    return [
        LanguageLink(code, name, translate_url(path, code), code == current, True)
        for code, name in settings.LANGUAGES
    ]


def alternates(links: list[LanguageLink], absolute_url) -> tuple[tuple[str, str], ...]:
    """hreflang alternates for the versions that exist, with x-default (the default
    language's, else the first); none for a page in one language only."""
    existing = [link for link in links if link.exists]
    if len(existing) < 2:
        return ()
    default = next((link for link in existing if link.code == settings.LANGUAGE_CODE), existing[0])
    return (
        *((link.code, absolute_url(link.url)) for link in existing),
        ("x-default", absolute_url(default.url)),
    )
