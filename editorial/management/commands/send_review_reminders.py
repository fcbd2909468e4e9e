from django.core.management.base import BaseCommand

from editorial.reminders import Reminder, long_date, send_review_reminders
from editorial.review_date_reminders import (
    ReviewDateReminder,
    send_review_date_reminders,
    send_review_digest,
)


class Command(BaseCommand):
    help = (
        "Email reviewers before and on a review's due date, and the editors once it is "
        "overdue; likewise for each published article's own next review date, whether or not "
        "a review was asked for. Idempotent: each reminder is sent once (per due date), so it "
        "is safe to run hourly from cron. With --digest, send the editors' weekly digest instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the reminders that would be sent; send and record nothing.",
        )
        parser.add_argument(
            "--digest",
            action="store_true",
            help="Send the editors' weekly digest (once a week, however often it runs): what "
            "falls due in the next 30 days with no review asked for, and what is overdue.",
        )

    def handle(self, *args, dry_run, digest, verbosity, **options):
        if digest:
            self._digest(dry_run=dry_run)
            return
        reminders = send_review_reminders(dry_run=dry_run) + send_review_date_reminders(
            dry_run=dry_run
        )
        for reminder in reminders:
            self._report(reminder, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(reminders)} reminder(s) apply now; nothing was sent or recorded."
            )
        elif verbosity > 1 or reminders:
            failed = sum(1 for r in reminders if r.error)
            unsent = sum(1 for r in reminders if not r.recipients)
            self.stdout.write(
                f"{len(reminders) - failed - unsent} sent, {unsent} with nobody to email, "
                f"{failed} failed."
            )

    def _digest(self, *, dry_run: bool) -> None:
        digest = send_review_digest(dry_run=dry_run)
        if digest is None:
            self.stdout.write("This week's review digest was already sent.")
            return
        if digest.error:
            self.stderr.write(
                f"Could not send the review digest: {digest.error}. The next run tries again."
            )
            return
        if not digest.recipients:
            self.stdout.write(self.style.WARNING(f"Review digest not sent: {digest.problem}."))
            return
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} the review digest to {', '.join(digest.recipients)}: {digest.subject}"
        )
        if dry_run:
            self.stdout.write(digest.body)

    def _report(self, reminder: Reminder | ReviewDateReminder, *, dry_run: bool) -> None:
        if isinstance(reminder, ReviewDateReminder):
            article = reminder.article
            reviewer = f", last reviewer {article.reviewer.name}" if article.reviewer else ""
            what = (
                f"{reminder.kind.label.lower()} review-date reminder for “{article.title}” "
                f"(next review due {long_date(reminder.due_on)}, no review asked for{reviewer})"
            )
        else:
            review_request = reminder.review_request
            what = (
                f"{reminder.kind.label.lower()} reminder for “{review_request.article.title}” "
                f"(due {long_date(review_request.due_on)}, "
                f"reviewer {review_request.reviewer.name})"
            )
        if reminder.recipients:
            verb = "Would send" if dry_run else "Sent"
            line = f"{verb} {what} to {', '.join(reminder.recipients)}: {reminder.subject}"
            if reminder.error:
                self.stderr.write(
                    f"Could not send {what}: {reminder.error}. The next run tries again."
                )
                return
            self.stdout.write(line)
            if reminder.problem:
                self.stdout.write(self.style.WARNING(f"  Note: {reminder.problem}."))
        else:
            verb = "Would not send" if dry_run else "Not sent"
            self.stdout.write(self.style.WARNING(f"{verb}: {what}: {reminder.problem}."))
