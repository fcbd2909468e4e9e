from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Category
from articles.services import build_version


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
    """The live version of a published article; staff see a preview of unpublished ones."""
    article = (
        Article.objects.select_related("category", "live_version__reviewer")
        .filter(slug=slug)
        .first()
    )
    if article is None:
        raise Http404("No article at this address.")
    if article.is_published:
        return _render_article(request, article, article.live_version, is_preview=False)
    if can_preview(request.user):
        return article_preview(request, slug)
    raise Http404("No article at this address.")


def article_preview(request, slug):
    """The working copy rendered as readers would see it; for staff only, never cached."""
    if not can_preview(request.user):
        raise Http404("No article at this address.")
    article = get_object_or_404(Article.objects.select_related("category", "reviewer"), slug=slug)
    version = build_version(
        article, reviewer=article.reviewer, reviewed_on=article.last_reviewed_on
    )
    response = _render_article(request, article, version, is_preview=True)
    add_never_cache_headers(response)
    return response


def _render_article(request, article, version, *, is_preview):
    related = (
        Article.objects.published()
        .for_listing()
        .filter(category=article.category_id)
        .exclude(pk=article.pk)[:3]
    )
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "version": version,
            "history": article.versions.history() if article.live_version_id else [],
            "is_preview": is_preview,
            "related": related,
            "current_category_slug": article.category.slug,
        },
    )


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
