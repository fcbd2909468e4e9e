from django.core.management.base import BaseCommand

from api.webhooks import send_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due (new ones and retries). Run it every "
        "minute from cron; overlapping runs are safe."
    )

    def handle(self, *args, **options):
        outcome = send_due()
        if any(outcome.values()):
            self.stdout.write(
                f"Webhooks: {outcome['delivered']} delivered, {outcome['retrying']} to retry, "
                f"{outcome['failed']} given up."
            )
