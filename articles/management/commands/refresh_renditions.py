from django.core.management.base import BaseCommand
from django.db import transaction

from articles.hero_images import refresh_hero_renditions
from articles.models import Article
from images.renditions import refresh_photo_renditions
from reviewers.models import Reviewer


class Command(BaseCommand):
    help = (
        "Make the responsive renditions of every article's hero image and every reviewer's "
        "photo that lacks them (saved before renditions existed) and record them. Renditions "
        "already made are kept, so it is safe to run again."
    )

    def handle(self, *args, **options):
        for model, field, record, refresh, label in [
            (Article, "hero_image", "hero_renditions", refresh_hero_renditions, "hero images"),
            (Reviewer, "photo", "photo_renditions", refresh_photo_renditions, "reviewer photos"),
        ]:
            with_images = model.objects.exclude(**{field: ""}).order_by("pk")
            refreshed = 0
            for instance in with_images.iterator():
                before = getattr(instance, record)
                with transaction.atomic():
                    after = refresh(**{model._meta.model_name: instance})
                if after != before:
                    refreshed += 1
                    self.stdout.write(f"{instance.slug}: {len(after)} renditions")
            total = with_images.count()
            if total or model is Article:
                self.stdout.write(f"{refreshed} of {total} {label} given new renditions.")
