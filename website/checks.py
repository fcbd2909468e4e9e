"""System checks for how the site is deployed."""

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(deploy=False)
def cache_is_shared(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The cache ({backend}) is not shared between processes: the feedback limits "
            "count per process, and every gunicorn worker keeps its own page copies.",
            hint="Leave CACHE_URL unset (files under var/cache, one machine) or set it to "
            "Redis (CACHE_URL=redis://HOST:6379/1) when several app servers run the site.",
            id="website.W001",
        )
    ]


@register(deploy=False)
def frontends_are_valid(app_configs, **kwargs):
    from django.core.checks import Error
    from django.core.exceptions import ImproperlyConfigured

    from website.frontend_cache import frontend

    errors = []
    for url in settings.FRONTENDS:
        try:
            frontend(url)
        except ImproperlyConfigured as problem:
            errors.append(Error(str(problem), id="website.E002"))
    return errors
