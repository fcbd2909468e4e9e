from django.core.management.base import BaseCommand

from website.stored_pages import render_stale_pages


class Command(BaseCommand):
    help = (
        "Render and store every published article page that is not current, after a deploy "
        "or a change shown on every page, so no reader waits for its first view."
    )

    def handle(self, *args, **options):
        stored = render_stale_pages()
        self.stdout.write(f"Rendered and stored {stored} article page{'' if stored == 1 else 's'}.")
