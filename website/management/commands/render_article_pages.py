from django.core.management.base import BaseCommand, CommandError

from website.stored_pages import render_stale_pages


class Command(BaseCommand):
    help = (
        "Render and store every published article page that is not current, after a deploy "
        "or a change shown on every page, so no reader waits for its first view. Resumable, "
        "and safe to run on several servers at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=20, help="pages claimed and stored together"
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, not {batch_size}.")
        stored = render_stale_pages(batch_size=batch_size)
        self.stdout.write(f"Rendered and stored {stored} article page{'' if stored == 1 else 's'}.")
