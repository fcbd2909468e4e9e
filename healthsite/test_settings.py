"""Fast, isolated settings for the test suite. DATABASE_URL still chooses the database."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")

from healthsite.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests roll back their transactions, so on-commit invalidation never runs in them; caching
# tests turn the page cache on themselves (tests/articles/test_caching.py).
PUBLIC_PAGE_CACHE_SECONDS = 0
LISTING_COUNT_SECONDS = 0
# No comparison with the generation of record in the middle of a test counting queries; the
# tests of that comparison set it to 0.
PAGE_CACHE_CHECK_SECONDS = 24 * 3600
CACHE_RETRY_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests never reach the real Crossref or NCBI: look-up tests start a local server instead.
CROSSREF_API_URL = "http://127.0.0.1:9/crossref"
NCBI_EUTILS_URL = "http://127.0.0.1:9/eutils"
# Tests sign staff in with force_login; the two-factor tests turn the requirement on.
STAFF_TWO_FACTOR_REQUIRED = False
