"""The article's audit trail: who did what, when, and why."""

from articles.models import Article, ArticleEvent


def record_event(*, article: Article, actor, action: str, detail: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, actor=actor, action=action, detail=detail)


def record_edit(*, article: Article, actor, changed: list[str], created: bool = False):
    """An edit of the working copy, naming what changed. A live article's readers see none
    of it until an editor publishes it, and the entry says so."""
    if created:
        return record_event(article=article, actor=actor, action="created")
    if not changed:
        return None
    detail = "Changed: " + ", ".join(changed) + "."
    if article.live_version_id:
        detail += " Readers see the published version until a new one is published."
    return record_event(article=article, actor=actor, action="edited", detail=detail)
