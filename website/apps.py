from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Public website"

    def ready(self):
        from website import checks, invalidation  # noqa: F401 (checks registers itself)

        invalidation.connect()
