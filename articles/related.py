"""Related articles: chosen when an article is published and stored on it, so a page need
not rank them (ArticleQuerySet.related_to does the ranking)."""

from django.db.models import Q

from articles.models import Article
from articles.signals import live_articles_changed

RELATED_ARTICLES_KEPT = 6


def articles_showing_card_of(article_id: int):
    """The articles whose related articles include this one: their pages show its card."""
    shows_it = Q()
    for position in range(RELATED_ARTICLES_KEPT):
        shows_it |= Q(**{f"related_article_ids__{position}": article_id})
    return Article.objects.filter(shows_it)


def refresh_related_articles(*, article: Article, neighbours: bool = True) -> list[int]:
    """Choose the article's related articles from its live version's topic and tags (see
    ArticleQuerySet.related_to) and store them; with ``neighbours``, also refresh the
    articles it now points to, so a new article shows up beside the articles most related
    to it at once."""
    article = Article.objects.select_related("live_version").get(pk=article.pk)
    if article.live_version is None:
        return []
    related = list(
        Article.objects.related_to(article.live_version, limit=RELATED_ARTICLES_KEPT).values_list(
            "pk", flat=True
        )
    )
    if related != article.related_article_ids:
        Article.objects.filter(pk=article.pk).update(related_article_ids=related)
        live_articles_changed.send(sender=Article, article_ids=[article.pk])
    if neighbours:
        for pk in related:
            refresh_related_articles(article=Article(pk=pk), neighbours=False)
    return related
