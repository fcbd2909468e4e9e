from django.core.management.base import BaseCommand

from editorial.reminders import Reminder, long_date, send_review_reminders


class Command(BaseCommand):
    help = (
        "Email reviewers before and on a review's due date, and the editors once it is "
        "overdue. Idempotent: each reminder is sent once, so it is safe to run hourly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the reminders that would be sent; send and record nothing.",
        )

    def handle(self, *args, dry_run, verbosity, **options):
        reminders = send_review_reminders(dry_run=dry_run)
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

    def _report(self, reminder: Reminder, *, dry_run: bool) -> None:
        review_request = reminder.review_request
        what = (
            f"{reminder.kind.label.lower()} reminder for “{review_request.article.title}” "
            f"(due {long_date(review_request.due_on)}, reviewer {review_request.reviewer.name})"
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
