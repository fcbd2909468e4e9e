"""What happens when content readers see changes: the page cache moves to a new generation
(caching.py) and the stored article pages that show it are marked stale (article_pages.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from articles.caching import invalidate_public_pages
from articles.models import Article, Category, PublishedVersion
from articles.services import articles_showing_card_of, mark_pages_stale


def _reviewer_model():
    return Article._meta.get_field("reviewer").related_model


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance, **kwargs):
    # A draft's edits reach no public page; a live article's image, category, tags,
    # schedule or status do, on its own page and on the pages showing its card.
    if instance.live_version_id:
        invalidate_public_pages()
        showing_its_card = articles_showing_card_of(instance.pk).values_list("pk", flat=True)
        mark_pages_stale([instance.pk, *showing_its_card])


@receiver([post_save, post_delete], sender=PublishedVersion)
def version_changed(sender, **kwargs):
    invalidate_public_pages()


@receiver([post_save, post_delete], sender=Category)
def category_changed(sender, **kwargs):
    # Every page's navigation lists the categories.
    invalidate_public_pages()
    mark_pages_stale()


def reviewer_changed(sender, created=False, **kwargs):
    # A reviewer's name and credentials show on the pages and cards of the articles they
    # reviewed; a new reviewer shows nowhere yet.
    if not created:
        invalidate_public_pages()
        mark_pages_stale()


@receiver(post_save, sender=Tag)
def tag_renamed(sender, instance, created, **kwargs):
    # A new tag shows nowhere yet; a deleted one leaves its articles through TaggedItem.
    if not created:
        invalidate_public_pages()
        mark_pages_stale(Article.objects.filter(tags=instance).values("pk"))


@receiver([post_save, post_delete], sender=TaggedItem)
def tags_changed(sender, instance, **kwargs):
    if instance.content_type.model_class() is Article:
        invalidate_public_pages()
        mark_pages_stale([instance.object_id])


def connect_reviewer_signals():
    for signal in (post_save, post_delete):
        signal.connect(
            reviewer_changed, sender=_reviewer_model(), dispatch_uid=f"reviewer-{signal}"
        )
