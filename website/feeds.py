"""RSS 2.0 feeds: the latest articles (/feed/) and the latest in each topic
(/topics/<slug>/feed/). Each item is the live version as readers see it."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse

from articles.models import Article, Category

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    def title(self):
        return f"{settings.SITE_NAME}: latest articles"

    def link(self):
        return reverse("website:home")

    def description(self):
        return "The latest medically reviewed articles, each linked to its sources."

    def items(self):
        return Article.objects.published().for_listing()[:FEED_LENGTH]

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
        return obj.description or f"The latest medically reviewed articles about {obj.name}."

    def items(self, obj):
        return Article.objects.published().for_listing().in_category(obj)[:FEED_LENGTH]
