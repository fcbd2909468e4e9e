"""RSS 2.0 feeds: the latest articles (/feed/) and the latest in each topic
(/topics/<slug>/feed/), one per language (/es/feed/…: the articles in that language, and
the feed's language element says which). Each item is the live version as readers see it."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles.models import Article, Category

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    def title(self):
        return _("%(site)s: latest articles") % {"site": settings.SITE_NAME}

    def link(self):
        return reverse("website:home")

    def description(self):
        return _("The latest medically reviewed articles, each linked to its sources.")

    def items(self):
        return Article.objects.published().in_language(get_language()).for_listing()[:FEED_LENGTH]

    def item_title(self, item):
        return item.live_version.title

    def item_description(self, item):
        return item.live_version.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.live_version.published_at

    def item_author_name(self, item):
        return item.live_version.author

    def item_categories(self, item):
        return [item.live_category.name]


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or _("The latest medically reviewed articles about %(topic)s.") % {
            "topic": obj.name
        }

    def items(self, obj):
        return (
            Article.objects.published()
            .in_language(get_language())
            .for_listing()
            .in_category(obj)[:FEED_LENGTH]
        )
