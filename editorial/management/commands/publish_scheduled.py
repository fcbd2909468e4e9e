from django.core.management.base import BaseCommand

from editorial.services import publish_scheduled


class Command(BaseCommand):
    help = (
        "Publish approved articles whose scheduled time has come. Idempotent: safe to run "
        "every minute from cron."
    )

    def handle(self, *args, verbosity, **options):
        outcomes = publish_scheduled()
        for article, outcome in outcomes:
            self.stdout.write(f"{article.slug}: {outcome}")
        if verbosity > 1 or outcomes:
            published = sum(1 for _, outcome in outcomes if outcome == "published")
            self.stdout.write(f"{published} published, {len(outcomes) - published} skipped.")
