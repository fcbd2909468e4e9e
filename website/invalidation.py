"""Every refresh of what readers see, in one place.

When content readers could see changes, three things follow, once the change commits or
within its transaction:

- the page cache moves to a new generation (page_cache.invalidate_public_pages), so no
  stored copy of any public page is served again;
- the stored article pages that show it are marked stale (mark_pages_stale), so each is
  rendered again on its next view (stored_pages.py);
- once it commits, the caches in front of the site (Varnish, a CDN) are purged of the pages
  that show it, by cache tag (purge_frontends; cache_tags.py, frontend_cache.py).

The changes come as Django's model signals, and as articles.signals.live_articles_changed
for changes the articles app makes with QuerySet.update or in bulk.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from taggit.models import Tag, TaggedItem

from articles.models import Article, Category, PublishedVersion
from articles.related import articles_showing_card_of
from articles.signals import live_articles_changed
from articles.translations import language_version_ids
from reviewers.models import Reviewer
from website import cache_tags, stored_pages
from website.frontend_cache import purge_after_commit
from website.page_cache import invalidate_public_pages


def mark_pages_stale(article_ids=None) -> None:
    """Mark the stored pages of these articles' live versions stale (every article's, with
    None), so each is rendered again on its next view (see website/stored_pages.py).

    Runs in the caller's transaction: a page rendered meanwhile from the old data is not
    stored, because storing needs the marker it read to be unchanged.
    """
    live = Article.objects.filter(live_version__isnull=False)
    if article_ids is not None:
        live = live.filter(pk__in=article_ids)
    PublishedVersion.objects.filter(pk__in=live.values("live_version_id")).update(
        rendered_with=stored_pages.stale_marker()
    )


def refresh(article_ids=None) -> None:
    """What readers see of these articles (all, with None) changed."""
    invalidate_public_pages()
    mark_pages_stale(article_ids)
    purge_frontends(article_ids)


def purge_frontends(article_ids=None) -> None:
    """Purge the pages showing these articles (all, with None) from the caches in front."""
    if not settings.FRONTENDS:
        return
    if isinstance(article_ids, QuerySet):
        article_ids = article_ids.values_list("pk", flat=True)
    if article_ids is not None:
        article_ids = list(article_ids)
    purge_after_commit(cache_tags.for_changed_articles(article_ids))


def article_changed(sender, instance, **kwargs):
    # A draft's edits reach no public page; a live article's image, category, tags,
    # schedule or status do, on its own page, on the pages showing its card, and on its
    # other language versions' pages (their alternates, language switcher and notice).
    if instance.live_version_id:
        showing_its_card = articles_showing_card_of(instance.pk).values_list("pk", flat=True)
        refresh([instance.pk, *showing_its_card, *language_version_ids(instance)])


def version_changed(sender, instance, **kwargs):
    invalidate_public_pages()
    purge_frontends([instance.article_id])


def category_changed(sender, **kwargs):
    # Every page's navigation lists the categories.
    refresh()


def reviewer_changed(sender, created=False, **kwargs):
    # A reviewer's name and credentials show on the pages and cards of the articles they
    # reviewed; a new reviewer shows nowhere yet.
    if not created:
        refresh()


def tag_renamed(sender, instance, created, **kwargs):
    # A new tag shows nowhere yet; a deleted one leaves its articles through TaggedItem.
    if not created:
        refresh(Article.objects.filter(tags=instance).values("pk"))


def tags_changed(sender, instance, **kwargs):
    if instance.content_type.model_class() is Article:
        refresh([instance.object_id])


def live_articles_changed_receiver(sender, article_ids=None, **kwargs):
    refresh(article_ids)


def connect() -> None:
    """Connect the receivers (WebsiteConfig.ready)."""
    for signal in (post_save, post_delete):
        for model, receiver in [
            (Article, article_changed),
            (PublishedVersion, version_changed),
            (Category, category_changed),
            (Reviewer, reviewer_changed),
            (TaggedItem, tags_changed),
        ]:
            uid = f"website-{model.__name__}-{signal}"
            signal.connect(receiver, sender=model, dispatch_uid=uid)
    post_save.connect(tag_renamed, sender=Tag, dispatch_uid="website-tag-renamed")
    live_articles_changed.connect(live_articles_changed_receiver, dispatch_uid="website-live")
