from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.models import Article, Citation
from editorial.link_checks import check_citation_links
from editorial.quality import link_outcome


def positive_float(value):
    number = float(value)
    if number <= 0:
        raise ValueError(value)
    return number


def positive_int(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def non_negative_int(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Check that citation links answer, record each link's status, final URL and time of "
        "check, and list broken links per article (docs/quality-checks.md). Run it from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", metavar="SLUG", help="Check only this article.")
        parser.add_argument(
            "--timeout", type=positive_float, default=10, help="Seconds per network step."
        )
        parser.add_argument(
            "--concurrency", type=positive_int, default=8, help="Requests in flight at once."
        )
        parser.add_argument(
            "--retries",
            type=non_negative_int,
            default=2,
            help="Tries after a timeout, refused connection or server error.",
        )
        parser.add_argument(
            "--older-than-hours",
            type=non_negative_int,
            default=0,
            metavar="HOURS",
            help="Skip links checked within this many hours (whose URL has not changed since).",
        )

    def handle(self, *args, **options):
        citations = Citation.objects.select_related("article").order_by(
            "article__title", "article__pk", "order", "pk"
        )
        if options["article"]:
            if not Article.objects.filter(slug=options["article"]).exists():
                raise CommandError(f"No article has the slug {options['article']!r}.")
            citations = citations.filter(article__slug=options["article"])
        if options["older_than_hours"]:
            since = timezone.now() - timedelta(hours=options["older_than_hours"])
            citations = citations.link_check_due(checked_before=since)

        report = check_citation_links(
            citations=citations,
            timeout=options["timeout"],
            concurrency=options["concurrency"],
            retries=options["retries"],
        )

        broken = report.broken
        unverified = [
            citation
            for citation in report.citations
            if not citation.link_is_broken and (citation.link_status or 0) >= 400
        ]
        self.stdout.write(
            f"Checked {len(report.citations)} citation links ({len(report.results)} URLs) "
            f"in {report.seconds:.1f} s: {len(broken)} broken, "
            f"{len(unverified)} could not be verified (the server turned the checker away)."
        )
        for article, article_citations in report.broken_by_article().items():
            self.stdout.write(f"\n{article.title} ({article.slug}):")
            for citation in article_citations:
                self.stdout.write(f"  [^{citation.key}] {citation.url}: {link_outcome(citation)}")
