from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Category, Citation
from articles.services import render_article


def can_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


def home(request):
    latest = Article.objects.published().for_listing()[:9]
    categories = Category.objects.annotate(
        article_count=Count(
            "articles",
            filter=Q(articles__in=Article.objects.published()),
        )
    ).filter(article_count__gt=0)
    return render(request, "articles/home.html", {"latest": latest, "categories": categories})


def article_detail(request, slug):
    articles = Article.objects.select_related("category", "reviewer").prefetch_related(
        "tags",
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
        "faqs",
    )
    if not can_preview(request.user):
        articles = articles.published()
    article = get_object_or_404(articles, slug=slug)
    is_preview = not article.is_published
    related = (
        Article.objects.published()
        .for_listing()
        .filter(category=article.category_id)
        .exclude(pk=article.pk)[:3]
    )
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "rendered": render_article(article=article),
            "is_preview": is_preview,
            "related": related,
            "current_category_slug": article.category.slug,
        },
    )
    if is_preview:
        add_never_cache_headers(response)
    return response


class PublishedArticleListView(ListView):
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def published_articles(self):
        return Article.objects.published().for_listing()


class CategoryView(PublishedArticleListView):
    template_name = "articles/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return self.published_articles().filter(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category, current_category_slug=self.category.slug, **kwargs
        )


class TagView(PublishedArticleListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        articles = self.published_articles().filter(tags=self.tag)
        if not articles.exists():
            raise Http404("No published article has this tag.")
        return articles

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
