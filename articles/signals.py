"""Cache invalidation: the one side effect that runs on model signals (see caching.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import TaggedItem

from articles.caching import invalidate_public_pages
from articles.models import Article, Category, PublishedVersion


def _reviewer_model():
    return Article._meta.get_field("reviewer").related_model


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance, **kwargs):
    # A draft's edits reach no public page; a live article's image, category, tags,
    # schedule or status do.
    if instance.live_version_id:
        invalidate_public_pages()


@receiver([post_save, post_delete], sender=PublishedVersion)
@receiver([post_save, post_delete], sender=Category)
def public_content_changed(sender, **kwargs):
    invalidate_public_pages()


@receiver([post_save, post_delete], sender=TaggedItem)
def tags_changed(sender, instance, **kwargs):
    if instance.content_type.model_class() is Article:
        invalidate_public_pages()


def connect_reviewer_signals():
    for signal in (post_save, post_delete):
        signal.connect(
            public_content_changed, sender=_reviewer_model(), dispatch_uid=f"reviewer-{signal}"
        )
