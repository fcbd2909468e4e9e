from django.core.management.base import BaseCommand

from website.frontend_cache import send_pending_purges
from website.models import PendingPurge


class Command(BaseCommand):
    help = "Retry the frontend cache purges that failed (run it from cron every minute)."

    def handle(self, *args, **options):
        sent = send_pending_purges()
        left = PendingPurge.objects.count()
        self.stdout.write(f"{sent} purge(s) sent, {left} still pending.")
