from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from contentfiles.synthetic import generate_content


class Command(BaseCommand):
    help = (
        "Add synthetic published articles (with citations, FAQs, tags and review history) "
        "for load tests and benchmarks. Marked as sample content."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="How many to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, articles, seed, **options):
        if articles < 1:
            raise CommandError("--articles must be at least 1.")
        result = generate_content(articles=articles, seed=seed)
        # After a bulk load the query planner's statistics describe the empty tables; update
        # them, as restoring a dump is followed by ANALYZE.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Added {result.articles} articles, {result.citations} citations, "
            f"{result.faqs} FAQs and {result.versions} published versions."
        )
