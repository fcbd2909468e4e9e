from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image

from articles.models import Article, PublishedVersion
from images.uploads import stored_image
from reviewers.models import Reviewer


class Command(BaseCommand):
    help = (
        "Remove camera metadata (GPS position, camera make, comments) from the hero images "
        "and reviewer photos stored before uploads were cleaned, applying their orientation. "
        "Each file is rewritten in place, so every page and version that names it still "
        "does. Safe to run again: an image without metadata is left as it is."
    )

    def handle(self, *args, **options):
        cleaned = 0
        for model, field in [(Article, "hero_image"), (Reviewer, "photo")]:
            for instance in model.objects.exclude(**{field: ""}).order_by("pk").iterator():
                cleaned += self._clean(instance, field)
        self.stdout.write(f"{cleaned} stored image{'' if cleaned == 1 else 's'} cleaned.")

    def _clean(self, instance, field) -> int:
        file = getattr(instance, field)
        storage, name = file.storage, file.name
        if not storage.exists(name):
            self.stderr.write(f"{name}: missing from the media storage; skipped.")
            return 0
        with storage.open(name, "rb") as stored:
            data = stored.read()
        content, _ = stored_image(data, name)
        if content == data:
            return 0
        with Image.open(ContentFile(content)) as image:
            width, height = image.size
        with transaction.atomic():
            storage.delete(name)
            storage.save(name, ContentFile(content))
            prefix = field.removesuffix("_image") if field == "hero_image" else field
            sizes = {f"{prefix}_width": width, f"{prefix}_height": height}
            type(instance).objects.filter(pk=instance.pk).update(**sizes)
            if isinstance(instance, Article):
                PublishedVersion.objects.filter(hero_image=name).update(
                    hero_width=width, hero_height=height
                )
        self.stdout.write(f"{name}: metadata removed")
        return 1
