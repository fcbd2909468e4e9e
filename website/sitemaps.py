"""The sitemap: every public page search engines should know about.

/sitemap.xml is a sitemap index naming one file per section and page
(/sitemap-articles.xml?p=2), each of at most ``Sitemap.limit`` (50,000, the protocol's
limit; articles come 5,000 to a file) URLs. The index costs two queries per section (a count
and the latest ``lastmod``), each file two (a count and one page of items, with ``lastmod``
annotated); topics, tags and reviewers, whose dates aggregate every published article, are
computed once per page generation. Each file, once rendered, is kept until what readers see
changes (website/views.py, like the listing counts), so a crawler's reads cost a cache
read. ``lastmod`` is the latest
publication or review (a "Reviewed, no changes" version is a publication too) among the
live versions the page shows.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import F, Max, Q
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Category, published_condition
from reviewers.models import Reviewer
from website.languages import alternates, article_links
from website.listing_counts import memoized

LIVE_PUBLISHED_AT = "live_version__published_at"


def _latest_publication(relation: str) -> Max:
    """The latest live version's publication among the published articles via ``relation``."""
    return Max(
        f"{relation}__{LIVE_PUBLISHED_AT}",
        filter=published_condition(f"{relation}__"),
    )


class LastmodSitemap(Sitemap):
    """Items carry an annotated ``lastmod``."""

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item of every page.
        return self.items().order_by().aggregate(latest=Max("lastmod"))["latest"]


class HomeSitemap(Sitemap):
    def items(self):
        return ["website:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Article.objects.published().aggregate(latest=Max("live_published_at"))["latest"]


class ArticleSitemap(LastmodSitemap):
    """Every published article, in its own language, with its language versions as
    xhtml:link alternates (and x-default) when it has any: one more query per page."""

    # Well under the protocol's 50,000, so that each file is quick to build.
    limit = 5_000

    def items(self):
        return (
            Article.objects.published()
            # The live version's publication, kept on the article (no join).
            .annotate(lastmod=F("live_published_at"))
            .only("slug", "live_slug", "language", "translation_of")
            .order_by("pk")
        )

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        roots = {url["item"].translation_of_id or url["item"].pk for url in urls}
        family = {}
        for article in (
            Article.objects.published()
            .filter(Q(pk__in=roots) | Q(translation_of__in=roots))
            .only("live_slug", "slug", "language", "translation_of")
        ):
            family.setdefault(article.translation_of_id or article.pk, []).append(article)
        for url in urls:
            item = url["item"]
            links = article_links(
                item, family.get(item.translation_of_id or item.pk, []), url=item.get_absolute_url()
            )
            url["alternates"] = [
                {"lang_code": code, "location": f"{protocol}://{domain}{path}"}
                for code, path in alternates(links, lambda path: path)
            ]
        return urls


class MemoizedSitemap(LastmodSitemap):
    """A short list (topics, tags, reviewers) whose dates aggregate every published article:
    computed once per page generation (website/listing_counts.py)."""

    def items(self):
        return memoized(f"sitemap:{type(self).__name__}", lambda: list(self.section_items()))

    def get_latest_lastmod(self):
        return max((item.lastmod for item in self.items()), default=None)


class CategorySitemap(MemoizedSitemap):
    """Topic hubs with at least one published article."""

    def section_items(self):
        return (
            Category.objects.annotate(lastmod=_latest_publication("live_articles"))
            .filter(lastmod__isnull=False)
            .only("slug")
            .order_by("pk")
        )


class TagSitemap(MemoizedSitemap):
    """Tag pages: tags of at least one published article (others are 404)."""

    def section_items(self):
        return (
            Tag.objects.annotate(
                lastmod=Max(
                    "published_versions__published_at",
                    filter=published_condition("published_versions__live_article__"),
                )
            )
            .filter(lastmod__isnull=False)
            .only("slug")
            .order_by("pk")
        )

    def location(self, item):
        return reverse("website:tag", kwargs={"slug": item.slug})


class ReviewerSitemap(MemoizedSitemap):
    """Profiles of reviewers with at least one published article (those their page lists)."""

    def section_items(self):
        return (
            Reviewer.objects.annotate(lastmod=_latest_publication("reviewed_articles"))
            .filter(lastmod__isnull=False)
            .only("slug")
            .order_by("pk")
        )


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "topics": CategorySitemap,
    "tags": TagSitemap,
    "reviewers": ReviewerSitemap,
}
