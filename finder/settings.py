"""Settings for Mutual Help Finder, read from environment variables.

With no variables set, the site runs for development: DEBUG on, a SQLite file in the
project, a throwaway secret key. With DEBUG=false, SECRET_KEY and ALLOWED_HOSTS must be
given, and the security settings default to what ``check --deploy`` expects.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from finder.env import env_bool, env_int, env_list, env_str, require

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

# Only ever used with DEBUG on; production must bring its own (checked below).
_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    require("SECRET_KEY", SECRET_KEY, "when DEBUG is off (a long random string)")
    if SECRET_KEY == _DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must not be the development key when DEBUG is off.")
    require("ALLOWED_HOSTS", ALLOWED_HOSTS, "when DEBUG is off (comma-separated host names)")

INSTALLED_APPS = [
    # django.contrib.admin with the staff login's second factor (finder/auth.py).
    "finder.apps.StaffAdminConfig",
    "finder.apps.FinderConfig",  # rate-limit counts (finder/rates.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # the unaccent lookup for the finder's words (PostgreSQL only; inert on SQLite)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "groups",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages, JSON and feeds compressed (a results page: 33 KB to ~6 KB; benchmarks/README.md). Django pads
    # compressed responses with random bytes against BREACH. Static files come pre-compressed from WhiteNoise.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their long-lived caching), before LocaleMiddleware (to see its Vary).
    "finder.caching.private_searches",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language: the switch's cookie, else the browser's Accept-Language (no URL prefixes).
    "django.middleware.locale.LocaleMiddleware",
    # A 400 for more parameters than Django reads, in the visitor's language (finder/parameters.py).
    "finder.parameters.refuse_too_many_parameters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Who made a change, for the history of meetings and locations (admin and API alike).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "finder.urls"
WSGI_APPLICATION = "finder.wsgi.application"

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
            ],
        },
    },
]

# DATABASE_URL, e.g. postgres://user:password@localhost:5432/finder; default: SQLite in the project.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Many small queries on few cores: parallel workers cost more to start than they save
    # (benchmarks/README.md, fix 6).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c max_parallel_workers_per_gather=0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff login (finder/auth.py, README "Staff logins"). django-axes checks for a lockout before the
# password is even tried, so its backend comes first.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# With it on, staff without an authenticator app are sent to set one up before they reach the admin.
REQUIRE_STAFF_2FA = env_bool("REQUIRE_STAFF_2FA", False)
OTP_TOTP_ISSUER = "Mutual Help Finder"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # superusers may list and remove others' devices, never see their secrets
# Lockout after AXES_FAILURE_LIMIT failed logins (a wrong code counts) for AXES_COOLOFF_MINUTES, per username
# and address together: guessing at a curator's name from one place does not lock the curator out elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
_AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 60)
if AXES_FAILURE_LIMIT < 1 or _AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=_AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# X-Forwarded-For only from TRUSTED_PROXIES; an IPv6 client by its /64, so that it cannot start afresh from
# another of its own addresses.
AXES_CLIENT_IP_CALLABLE = "finder.clients.client_key"
AXES_LOCKOUT_CALLABLE = "finder.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Failures are counted in the shared cache under a hash of username and address, and vanish after the
# cool-off: no address is written to a table or a log (axes masks both in its log lines).
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "shared"
AXES_ENABLE_ADMIN = False  # its tables stay empty with the cache handler
AXES_VERBOSE = False  # no start-up banner on every command

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # .po files are committed; `make` compiles the .mo files
# Our own date and time formats per language (finder/formats/); Spanish uses Django's.
FORMAT_MODULE_PATH = ["finder.formats"]
# The switch's cookie holds only "en" or "es": functional, not tracking.
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# The server's zone, used for admin timestamps; every meeting carries its own zone.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA zone such as America/New_York, not {TIME_ZONE!r}.") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers files for production; in development they are served from STATICFILES_DIRS.
if not DEBUG or env_str("STATIC_ROOT"):
    STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=true so Django trusts
# X-Forwarded-Proto; set SECURE_SSL_REDIRECT=false if the proxy already redirects.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Our reverse proxies (addresses or CIDR ranges). X-Forwarded-For is believed only when the
# request comes from one of them (finder/clients.py); empty means no proxy: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# "default" is per process, for what is cheap to recompute (the zones in use). "shared" is seen by
# every worker, for login lockouts: a database table by default (`createcachetable`), or Redis with
# SHARED_CACHE_URL=redis://host:6379/0. Rate limits count in their own table (finder/rates.py): the
# database cache forgets entries beyond 300, so a busy API would have made it forget lockouts.
_SHARED_CACHE_URL = env_str("SHARED_CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _SHARED_CACHE_URL}
        if _SHARED_CACHE_URL.startswith(("redis://", "rediss://"))
        # One process only (the tests): counts in memory.
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
        if _SHARED_CACHE_URL == "locmem://"
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shared_cache"}
    ),
}


def _rate(value: str) -> str | None:
    return None if value.lower() == "off" else value


REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Curators write with a token (`manage.py drf_create_token <user>` or the admin); the admin's session works too.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["finder.throttling.AnonThrottle", "finder.throttling.UserThrottle"],
    # Requests per client address (anonymous) or per user; "off" lifts a limit (e.g. for a load test).
    "DEFAULT_THROTTLE_RATES": {
        "anon": _rate(env_str("API_ANON_RATE", "600/minute")),
        "user": _rate(env_str("API_USER_RATE", "1200/minute")),
    },
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "finder.api.Pagination",
    "EXCEPTION_HANDLER": "finder.api.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "finder.renderers.FastJSONRenderer",
        "finder.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mutual Help Finder API",
    "DESCRIPTION": "Read-only access to mutual-help meetings, organizations and meeting types. "
    "The meeting search takes the same parameters as the finder page. Weekdays: 0 = Sunday.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar): no third-party requests.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_query_strings": {"()": "finder.logging.DropQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["drop_query_strings"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Request logs name paths, never query strings (searched places): see finder/logging.py.
    "loggers": {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in ("django.server", "django.request", "gunicorn.access", "gunicorn.error")
    },
}

# Zone given to a meeting when neither its feed nor its place names one.
DEFAULT_MEETING_TIME_ZONE = env_str("DEFAULT_MEETING_TIME_ZONE", "America/New_York")

# Map tiles are fetched by the visitor's browser from this server, so none is set by default:
# the map then shows the meetings without a background. Example (mind its usage policy):
# MAP_TILE_URL=https://tile.openstreetmap.org/{z}/{x}/{y}.png
MAP_TILE_URL = env_str("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Content Security Policy (django-csp): our own scripts and styles only, no inline script, no framing.
# The map's tile server, when one is configured, is the one other origin images may come from.
_TILE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL.replace("{s}", "a"))) if MAP_TILE_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN.replace("://a.", "://*.")] if _TILE_ORIGIN else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# "Report a problem" (meetings.reports): reports one client may send per hour, counted (finder/rates.py)
# under a keyed hash of its address that changes every hour; the address itself is never stored.
CHANGE_REPORTS_PER_HOUR = env_int("CHANGE_REPORTS_PER_HOUR", 5)
# Finder pages (each one a search) one client may load per minute; 0 lifts the limit. Generous, since a clinic's
# or a library's visitors may share one address, and the page reloads its results as boxes are ticked.
FINDER_SEARCHES_PER_MINUTE = env_int("FINDER_SEARCHES_PER_MINUTE", 300)
# Feed and calendar downloads (each may stream every meeting) one client may make per hour; 0 lifts the limit.
FEED_DOWNLOADS_PER_HOUR = env_int("FEED_DOWNLOADS_PER_HOUR", 60)

# Free-text places are looked up offline; GEOCODER=nominatim adds OpenStreetMap's geocoder
# (rate-limited, cached) for places the bundled data does not know.
GEOCODER = env_str("GEOCODER", "offline")
GEOCODER_USER_AGENT = env_str("GEOCODER_USER_AGENT", "mutual-help-finder")
