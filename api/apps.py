from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Content API"

    def ready(self):
        from api import keys, webhooks

        keys.connect()
        webhooks.connect()
