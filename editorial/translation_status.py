"""What the article admin shows of a translation: the source it follows and, when the source
has published newer content, how far behind it is, with the source's changes since then.

Reads only; articles.translations keeps the out-of-date date itself.
"""

from dataclasses import dataclass

from articles.models import Article, PublishedVersion
from editorial.diff import SectionDiff, diff_snapshots


@dataclass(frozen=True)
class TranslationStatus:
    source: Article
    follows: PublishedVersion | None  # what the live translation was made from
    source_live: PublishedVersion | None
    out_of_date_since: object  # a datetime, or None while up to date
    source_changes: list[SectionDiff]  # the source's diff since ``follows``

    @property
    def is_out_of_date(self) -> bool:
        return self.out_of_date_since is not None


def translation_status(article: Article) -> TranslationStatus | None:
    """For a translation: its source, the version it follows, and the source's changes since
    (None for an article that translates nothing)."""
    if not article.translation_of_id:
        return None
    source = Article.objects.select_related("live_version").get(pk=article.translation_of_id)
    live = article.live_version if article.live_version_id else None
    follows = live.source_version if live else article.translated_from
    changes = []
    if article.source_changed_at and source.live_version_id:
        changes = diff_snapshots(follows.content if follows else {}, source.live_version.content)
    return TranslationStatus(
        source=source,
        follows=follows,
        source_live=source.live_version,
        out_of_date_since=article.source_changed_at,
        source_changes=changes,
    )
