from pathlib import Path

from django.core.management.base import BaseCommand

from contentfiles.exporter import export_content


class Command(BaseCommand):
    help = (
        "Write every category, source, reviewer and article, with their images, to a folder "
        "of Markdown files (docs/content-format.md). Files of the same name are overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="The content folder to write.")

    def handle(self, *args, directory, **options):
        report = export_content(directory=directory)
        counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
        self.stdout.write(f"Wrote {report.files} files to {directory}: {counts}.")
