from django.db import models
from django.utils import timezone


class PageGeneration(models.Model):
    """The page cache's generation of record (website/page_cache.py): one row, moved on by
    every change readers could see, so a change the cache missed (it was down) still
    reaches every process once the cache answers again."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "page cache generation"

    def __str__(self):
        return str(self.value)


class PendingPurge(models.Model):
    """A purge a frontend cache refused or did not answer, retried by send_pending_purges
    (website/frontend_cache.py) until it goes through or the pages have expired anyway."""

    frontend = models.CharField(max_length=500)
    tags = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=1)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_attempt_at"]

    def __str__(self):
        return f"{self.frontend}: {' '.join(self.tags)}"
