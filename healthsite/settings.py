"""Settings for healthsite, read from the environment (see README and .env.example)."""

import datetime
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The site's own files when nothing else is configured: the SQLite database, the file cache,
# uploaded media.
VAR_DIR = Path(env.str("HEALTHSITE_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-local-development-key-only-used-when-DJANGO_DEBUG-is-on"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "images",
    "staff",
    "reviewers",
    "articles",
    "feedback",
    "editorial",
    "website",
    "contentfiles",
    "api",
    # django-ninja: the content API's docs page, with Swagger UI served from our own static files
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored pages keep the headers the middleware below added (the policy has no nonces).
    "website.page_cache.PublicPageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of a page from its address (/es/…), as website/urls.py lays them out.
    "website.locale.AddressLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.SecondFactorRequiredMiddleware",
    "staff.middleware.StaffSessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "healthsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "website.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "healthsite.wsgi.application"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections: opening one costs more than a stored article page (a network
# handshake on PostgreSQL; on SQLite, registering Django's SQL functions).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: readers never block the writer, which otherwise waits for every
    # gunicorn worker's reads to pause (a stored page written on a first view waited up to
    # the 5 s busy timeout under load). A writer takes its lock when its transaction
    # begins (IMMEDIATE), so two writers queue rather than fail to upgrade a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
    )
else:
    # Each checkout gets its own test database, so two checkouts can run their suites on
    # one server at once.
    _checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", f"test_{DATABASES['default']['NAME']}_{_checkout}"
    )
# While the database does not answer, pages not in the cache get the 503 page, asking
# clients to come back after this many seconds.
DATABASE_RETRY_AFTER_SECONDS = env.int("HEALTHSITE_DATABASE_RETRY_AFTER_SECONDS", default=30)

# The cache every process of the site shares: page copies, the feedback limits' counters.
# Without CACHE_URL, files under var/cache (shared by gunicorn's workers and cron on one
# machine); several app servers need Redis: CACHE_URL=redis://HOST:6379/1.
if "CACHE_URL" in env:
    CACHES = {"default": env.cache("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# How long a request waits for the cache before going on without it, and how long a process
# then leaves a failed cache alone before trying it again (healthsite/cache.py).
CACHE_TIMEOUT_SECONDS = env.float("HEALTHSITE_CACHE_TIMEOUT_SECONDS", default=0.25)
CACHE_RETRY_SECONDS = env.float("HEALTHSITE_CACHE_RETRY_SECONDS", default=2)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", CACHE_TIMEOUT_SECONDS)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", CACHE_TIMEOUT_SECONDS)
# How long a public page may be served from the cache to anonymous readers (0: never).
# Changes readers could see invalidate it at once (website/page_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = env.int("HEALTHSITE_PAGE_CACHE_SECONDS", default=3600)
# Caches in front of the site that are purged when pages change (website/frontend_cache.py):
# comma-separated, e.g. "varnish://127.0.0.1:6081,cloudflare://ZONE_ID,cloudfront://DIST_ID".
# With any, public pages say a shared cache may keep them FRONTEND_CACHE_SECONDS
# (s-maxage), which is also the longest a failed purge can leave a page stale.
FRONTENDS = env.list("HEALTHSITE_FRONTENDS", default=[])
FRONTEND_CACHE_SECONDS = env.int("HEALTHSITE_FRONTEND_CACHE_SECONDS", default=300)
FRONTEND_PURGE_TIMEOUT_SECONDS = env.float("HEALTHSITE_FRONTEND_PURGE_TIMEOUT_SECONDS", default=3)
CLOUDFLARE_API_TOKEN = env.str("HEALTHSITE_CLOUDFLARE_API_TOKEN", default="")
CLOUDFLARE_API_URL = env.str(
    "HEALTHSITE_CLOUDFLARE_API_URL", default="https://api.cloudflare.com/client/v4"
)
# CloudFront's credentials come from the usual AWS variables (AWS_ACCESS_KEY_ID, ...).
CLOUDFRONT_API_URL = env.str("HEALTHSITE_CLOUDFRONT_API_URL", default="") or None
# How often each process compares the cache's page generation with the one of record in the
# database, which catches a change whose refresh the cache missed (website/page_cache.py).
PAGE_CACHE_CHECK_SECONDS = env.float("HEALTHSITE_PAGE_CACHE_CHECK_SECONDS", default=10)
# How long a listing's counts (a topic's, tag's or reviewer's number of articles) are kept
# (0: counted on every request); a change readers could see counts them again at once
# (website/listing_counts.py).
LISTING_COUNT_SECONDS = env.int("HEALTHSITE_LISTING_COUNT_SECONDS", default=300)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes checks every login against its record of failures before the real backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "healthsite.security.AddressLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages articles are written in and readers' pages are offered in. The default
# language keeps the unprefixed addresses; the others live under /<code>/ (website/urls.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Uploaded images: files under MEDIA_ROOT by default; with HEALTHSITE_MEDIA_BUCKET, an
# S3-compatible bucket every app server shares (django-storages), credentials from the usual
# AWS variables. Renditions are made by the process that saves an image, so app servers that
# only serve pages never write to it.
MEDIA_BUCKET = env.str("HEALTHSITE_MEDIA_BUCKET", default="")
if MEDIA_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": env.str("HEALTHSITE_MEDIA_ENDPOINT_URL", default="") or None,
            "region_name": env.str("HEALTHSITE_MEDIA_REGION", default="") or None,
            # Public, unsigned URLs on this host name (a CDN or the bucket's own).
            "custom_domain": env.str("HEALTHSITE_MEDIA_DOMAIN", default="") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="healthsite <noreply@localhost>")

# Production hardening; all of it is off in local development.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's plain-HTTP health check gets "ok", not a redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: forms carry the token (read it from the form, not the cookie).
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only.
# No 'unsafe-inline' anywhere, and no nonces (public pages are cached whole). JSON-LD blocks
# are data, not scripts, so the policy does not apply to them. Media must be served from the
# site's own host name (docs/operations.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env.list("HEALTHSITE_MEDIA_ORIGINS", default=[])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Admin login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused for AXES_COOLOFF_TIME, even with the right
# password; a success before then clears the count. Unlock: manage.py axes_reset.
AXES_FAILURE_LIMIT = env.int("HEALTHSITE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("HEALTHSITE_LOGIN_LOCKOUT_MINUTES", default=30)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And one address is refused after this many failures for any usernames in that time.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("HEALTHSITE_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "healthsite.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "healthsite.security.client_ip"
# No "AXES: BEGIN" line from every manage.py run (cron would mail it); lockouts are still logged.
AXES_VERBOSE = False
# Proxies (load balancer, web server) in front of the app that append to X-Forwarded-For;
# the client's address is the one the outermost of them saw. 0: use the socket's address.
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=0)

# Two-factor sign-in (staff/two_factor.py): required for accounts that can sign off,
# publish or manage accounts; on by default, off by default in local development (DEBUG).
STAFF_TWO_FACTOR_REQUIRED = env.bool("HEALTHSITE_TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("HEALTHSITE_NAME", default="healthsite")

# A staff session ends after this many minutes without a request.
STAFF_SESSION_IDLE_MINUTES = env.int("HEALTHSITE_STAFF_SESSION_IDLE_MINUTES", default=30)

# A sign-off is a signature (editorial/signatures.py): the reviewer confirms who they are
# when signing, unless they did in the last this many minutes.
SIGN_OFF_CONFIRMATION_MINUTES = env.int("HEALTHSITE_SIGN_OFF_CONFIRMATION_MINUTES", default=5)

# The publisher's name and the short promise shown in the page footer.
SITE_NAME = env.str("HEALTHSITE_NAME", default="healthsite")
ARTICLES_PER_PAGE = 12
# How long a medical review stays current before the article is due for re-review.
REVIEW_INTERVAL_MONTHS = env.int("HEALTHSITE_REVIEW_INTERVAL_MONTHS", default=12)
# Days past "Next review due" before the page tells readers the article is being reviewed.
REVIEW_OVERDUE_GRACE_DAYS = env.int("HEALTHSITE_REVIEW_OVERDUE_GRACE_DAYS", default=30)
# Days a translation may lag a newer version of its source before its page tells readers so
# (and links to the source language's page). Editors see it at once.
TRANSLATION_OUTDATED_GRACE_DAYS = env.int("HEALTHSITE_TRANSLATION_OUTDATED_GRACE_DAYS", default=30)
# send_review_reminders emails the reviewer this many days before a review's due date.
REVIEW_REMINDER_DAYS_BEFORE = env.int("HEALTHSITE_REVIEW_REMINDER_DAYS_BEFORE", default=7)
# The site's public address, for links in emails sent by commands (no request to ask).
SITE_URL = env.str("HEALTHSITE_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# DOI and PMID look-up in the citation forms: Crossref's works API and NCBI's E-utilities.
CROSSREF_API_URL = env.str("HEALTHSITE_CROSSREF_API_URL", default="https://api.crossref.org")
NCBI_EUTILS_URL = env.str(
    "HEALTHSITE_NCBI_EUTILS_URL", default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
)
CITATION_LOOKUP_TIMEOUT_SECONDS = env.float("HEALTHSITE_CITATION_LOOKUP_TIMEOUT", default=5)

# Editorial quality checks (docs/quality-checks.md): the reading grade articles aim for,
# and the age in years after which a citation is flagged to the reviewer as old.
READABILITY_TARGET_GRADE = env.float("HEALTHSITE_READABILITY_TARGET_GRADE", default=8)
CITATION_MAX_AGE_YEARS = env.int("HEALTHSITE_CITATION_MAX_AGE_YEARS", default=10)

# "Was this helpful?": how many answers one client (its address, see NUM_PROXIES) may send
# on one article, and in all, within an hour (articles.services.record_feedback).
FEEDBACK_RATE_PER_ARTICLE = env.int("HEALTHSITE_FEEDBACK_RATE_PER_ARTICLE", default=3)
FEEDBACK_RATE_PER_HOUR = env.int("HEALTHSITE_FEEDBACK_RATE_PER_HOUR", default=20)

# The content API (docs/api.md): what partners must show beside our content, unless their
# consumer record in the admin names other text.
API_ATTRIBUTION = env.str(
    "HEALTHSITE_API_ATTRIBUTION",
    default=f"Medically reviewed content from {SITE_NAME}. Link to the article's url.",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
