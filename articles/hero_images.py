"""Renditions of articles' hero images (images.renditions makes them).

A published version shows the image the article had when it was published, so its
renditions are recorded on the version too; they are the same files, made once.
"""

from django.db import transaction

from articles.models import Article, PublishedVersion
from articles.signals import live_articles_changed
from images.renditions import RENDITION_WIDTHS, refresh_renditions


def refresh_hero_renditions(*, article: Article, written: list[str] | None = None) -> list[dict]:
    """Make the renditions of the article's hero image and record them on the article and on
    its versions that show the same image without renditions yet. The renditions the live
    version shows are never deleted."""
    live = article.live_version if article.live_version_id else None
    renditions = refresh_renditions(
        article,
        "hero_image",
        record="hero_renditions",
        widths=RENDITION_WIDTHS,
        written=written,
        in_use=frozenset(r["name"] for r in live.hero_renditions) if live else frozenset(),
    )
    if article.hero_image and renditions:
        # Versions published before this image had renditions get them; versions that have
        # renditions keep theirs (the files are kept while a live version shows them).
        same_image = PublishedVersion.objects.filter(
            article=article, hero_image=article.hero_image.name, hero_renditions=[]
        )
        if same_image.update(hero_renditions=renditions) and live is not None:
            live_articles_changed.send(sender=Article, article_ids=[article.pk])
    return renditions


def release_replaced_renditions(*, article: Article, previous, version) -> None:
    """Once a new version shows another hero image, delete the renditions of the one the
    previous version showed that nothing else shows (after the change commits)."""
    if previous is None or previous.hero_image == version.hero_image:
        return
    in_use = {r["name"] for r in (*version.hero_renditions, *article.hero_renditions)}
    orphans = [r["name"] for r in previous.hero_renditions if r["name"] not in in_use]
    if orphans:
        storage = previous.hero_image.storage

        def delete_orphans():
            for name in orphans:
                storage.delete(name)

        transaction.on_commit(delete_orphans)
