from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contentfiles.importer import ContentImportError, import_content


class Command(BaseCommand):
    help = (
        "Create or update categories, sources, reviewers and articles from a folder of "
        "Markdown files (docs/content-format.md). Checks every file first; on any problem "
        "nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="The content folder.")

    def handle(self, *args, directory, verbosity, **options):
        try:
            report = import_content(
                directory=directory, stdout=self.stdout if verbosity > 1 else None
            )
        except ContentImportError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
