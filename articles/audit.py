"""The article's audit trail: who did what, when, and why."""

from articles.models import Article, ArticleEvent


def record_event(*, article: Article, actor, action: str, detail: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, actor=actor, action=action, detail=detail)
