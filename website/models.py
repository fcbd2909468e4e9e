from django.db import models


class PageGeneration(models.Model):
    """The page cache's generation of record (website/page_cache.py): one row, moved on by
    every change readers could see, so a change the cache missed (it was down) still
    reaches every process once the cache answers again."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "page cache generation"

    def __str__(self):
        return str(self.value)
