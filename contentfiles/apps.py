from django.apps import AppConfig


class ContentFilesConfig(AppConfig):
    name = "contentfiles"
    verbose_name = "Content files"
