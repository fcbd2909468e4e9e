from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles import search_index

        post_migrate.connect(
            search_index.ensure_installed, sender=self, dispatch_uid="articles-search-index"
        )
