from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.services import refresh_hero_renditions


class Command(BaseCommand):
    help = (
        "Make the responsive renditions of every article's hero image that lacks them (articles "
        "saved before renditions existed) and record them. Renditions already made are kept, "
        "so it is safe to run again."
    )

    def handle(self, *args, **options):
        articles = Article.objects.exclude(hero_image="").order_by("pk")
        refreshed = 0
        for article in articles.iterator():
            before = article.hero_renditions
            with transaction.atomic():
                after = refresh_hero_renditions(article=article)
            if after != before:
                refreshed += 1
                self.stdout.write(f"{article.slug}: {len(after)} renditions")
        self.stdout.write(f"{refreshed} of {articles.count()} hero images given new renditions.")
