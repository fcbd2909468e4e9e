from django.core.management.base import BaseCommand, CommandError

from api.keys import create_api_key
from api.models import ApiConsumer


class Command(BaseCommand):
    help = (
        "Make an API key for a partner (the consumer is created if new) and print it once: "
        "only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partner organisation's name.")
        parser.add_argument("--email", default="", help="Contact email (needed for a new one).")
        parser.add_argument("--label", default="", help="What the key is for, e.g. “iOS app”.")

    def handle(self, *args, name, email, label, **options):
        consumer = ApiConsumer.objects.filter(name=name).first()
        if consumer is None:
            if not email:
                raise CommandError(
                    f"No API consumer is named “{name}”. Pass --email CONTACT to create it, "
                    "or use the exact name from the admin."
                )
            consumer = ApiConsumer(name=name, contact_email=email)
            consumer.full_clean()
            consumer.save()
            self.stderr.write(f"Created the API consumer “{name}”.")
        if not consumer.is_active:
            raise CommandError(f"“{name}” is inactive; activate it in the admin first.")
        made = create_api_key(consumer=consumer, label=label)
        self.stderr.write(
            f"Key {made.key.prefix}… for {consumer}. It is shown only now; store it safely:"
        )
        self.stdout.write(made.secret)
