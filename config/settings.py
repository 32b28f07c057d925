"""Settings for the editorial platform, read from the environment.

A file ``.env`` at the repository root, when present, fills in variables the environment does not
set (``make run`` writes one for local work: debug mode and a random secret key; it is not
committed). Variables already in the environment always win. ``DJANGO_ENV_FILE`` names another
file, or with an empty value turns the file off. The file holds ``NAME=value`` lines (optionally
``export NAME=value``, values optionally in quotes), blank lines and ``#`` comments.

Variables:
    DJANGO_DEBUG            "1"/"true" turns debug mode on (``make run`` does); off by default.
    DJANGO_SECRET_KEY       required when debug is off.
    DJANGO_ALLOWED_HOSTS    comma-separated host names; defaults to localhost only.
    DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated origins (https://example.org) behind a proxy.
    DATABASE_URL            e.g. postgres://user@host:5432/db; defaults to a SQLite file.
    DATABASE_JIT            "1" keeps PostgreSQL's JIT compilation on; off by default (see below).
    DATABASE_REPLICA_URL    a read replica of DATABASE_URL (same kind of database), e.g.
                            postgres://reader@replica:5432/db: public pages and the API read from
                            it (config/replica.py); editors, moderators and every write use the
                            primary. Unset by default: one database does everything.
    TIME_ZONE               the zone times are shown in; defaults to UTC.
    SITE_URL                the public address, for absolute links in exports; defaults to
                            http://127.0.0.1:8000.
    IMPORT_MAX_BYTES        largest file the importer accepts; defaults to 10 MB.
    IMPORT_TASK_THRESHOLD_BYTES  an admin upload larger than this is imported by a background
                            task; defaults to 1 MB (docs/tasks.md).
    CAPTURE_MAX_BYTES       largest page a web capture reads; defaults to 10 MB (docs/capture.md).
    CAPTURE_TIMEOUT         seconds a web capture may take in all; defaults to 30.
    CAPTURE_USER_AGENT      the User-Agent web captures and watch checks send.
    CAPTURE_ALLOW_PRIVATE_ADDRESSES  "1" lets captures reach loopback, private and reserved
                            addresses; off by default (a guard against server-side request forgery).
    CAPTURE_WATCH_WORKERS   addresses a watch pass fetches at once; defaults to 8.
    CAPTURE_OBEY_ROBOTS     "0" lets captures and watch checks ignore robots.txt; on by default.
    CAPTURE_PER_HOST_INTERVAL  seconds between two requests of a watch pass to one host; 1.0.
    MEDIA_ROOT              where captured WARC files are stored; defaults to ./media.
    DJANGO_SECURE_SSL_REDIRECT  set to "0" when TLS ends at a proxy that already redirects.
    API_THROTTLE_RATE       requests an anonymous API client may make; defaults to 120/minute.
    REDIS_URL               e.g. redis://127.0.0.1:6379/0: the shared cache (the API's request
                            counts) lives in Redis; without it, in the database's cache table
                            ``django_cache``, which ``migrate`` creates.
    TASKS_BACKEND           where background tasks wait: "database" (default; `manage.py
                            db_worker` runs them), "rq" (Redis at REDIS_URL; RQ workers) or
                            "immediate" (run at once, in the process that asks); docs/tasks.md.
    CACHE_KEY_PREFIX        prefix of every cache key, for a Redis shared with others; defaults to
                            "editorial".
    TRUSTED_PROXY_COUNT     how many proxies in front of the site append to X-Forwarded-For; the
                            API counts a client by the address the outermost of them saw. Defaults
                            to 0: X-Forwarded-For is ignored and the connecting address counts.

Every response carries a strict Content-Security-Policy (``CONTENT_SECURITY_POLICY``, django-csp):
scripts, styles, images, fonts and connections from this site only, no inline script or style, no
plugins, no framing, forms posted to this site only.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path):
    """Set each ``NAME=value`` of the file at ``path`` that the environment lacks; no file, nothing.

    Values already in the environment (even empty ones) are kept: the file only fills gaps. A line
    that is not a comment, blank or ``NAME=value`` is refused with its number, as a misspelt
    setting should not pass unnoticed.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name.isidentifier():
            # The line itself is not quoted: it may hold a secret.
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value.")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(name, value)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_count(name, default=0):
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number of 0 or more, not {value!r}.")
    return int(value)


# Before anything reads the environment. An empty DJANGO_ENV_FILE reads no file (the test suite).
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    read_env_file(ENV_FILE)

DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development (`make run` writes both to a local .env)."
        )
    # Debug mode only: a fixed key is harmless on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105 — debug only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.EditorialAdminConfig",  # django.contrib.admin with the branded site (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "taggit",
    "django_filters",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "config.apps.BackgroundTasksConfig",  # django_tasks_db: the tasks' states, shown in the admin
    "sources",
    "editorial",
]

MIDDLEWARE = [
    # An anonymous reader's page kept in the page cache, served before the rest (editorial.public.http).
    "editorial.public.http.PublicPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # ETag/Last-Modified from the public record's version, 304s, Cache-Control (editorial.public.http).
    "editorial.public.http.PublicCacheMiddleware",
]
# How long a shared cache (reverse proxy, CDN) may keep a public page (s-maxage); browsers revalidate.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "60"))
# Keep anonymous readers' public pages in the cache until the public record changes (editorial.public.http).
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", default=True)
# Bytes of those pages each process also keeps in its own memory, the most recently served (0: none).
PUBLIC_PAGE_MEMORY = int(os.environ.get("PUBLIC_PAGE_MEMORY", str(16 * 1024 * 1024)))

ROOT_URLCONF = "config.urls"

# The public address of the site, for absolute links in exports, feeds and the API when no request
# is at hand (the export command). No trailing slash.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASE_OPTIONS = {
    "conn_max_age": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    "conn_health_checks": True,
}
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", **DATABASE_OPTIONS),
}
# PostgreSQL's JIT compiles a query whose estimated cost is high, which an export's chunk query or a
# facet count over a million rows reach: 0.6 s of compiling for 0.1 s of work, at every execution.
# The platform's queries are short and indexed; its connections turn JIT off (DATABASE_JIT=on keeps
# the server's setting; a connection pooler must pass the "options" startup parameter through).
DATABASE_JIT = env_bool("DATABASE_JIT")


def _postgresql_options(database):
    if database["ENGINE"] == "django.db.backends.postgresql" and not DATABASE_JIT:
        options = database.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    return database


_postgresql_options(DATABASES["default"])


def _sqlite_options(database):
    """SQLite: transactions take the write lock when they begin, and wait for it up to 20 s.

    ``make run`` serves pages while the task worker writes; a command run beside them (an import)
    then found the database locked at once: a transaction that began by reading cannot wait for
    the write lock another connection holds. Begun ``IMMEDIATE``, it waits its turn.
    """
    if database["ENGINE"] == "django.db.backends.sqlite3":
        options = database.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
    return database


_sqlite_options(DATABASES["default"])

# A read replica: public reads go to it while ReplicaMiddleware marks the request (config/replica.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    # A test run makes no database on the replica (it is read-only): the alias mirrors the test database.
    DATABASES["replica"] = _postgresql_options(
        dj_database_url.parse(DATABASE_REPLICA_URL, test_options={"MIRROR": "default"}, **DATABASE_OPTIONS)
    )
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        # The URL is not quoted: it may hold a password.
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a replica of DATABASE_URL, the same kind of database "
            f"({DATABASES['default']['ENGINE']}), not {DATABASES['replica']['ENGINE']}."
        )
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    # Before the public cache middleware, so that the record's version is read where the page is.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("editorial.public.http.PublicCacheMiddleware"), "config.replica.ReplicaMiddleware"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process (gunicorn's workers): the API's throttle counts in it. Redis when
# REDIS_URL is set, else a table of the database, created by ``migrate`` (see EditorialConfig).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "editorial")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A row per API client seen within the rate's period; the default of 300 would drop counts.
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# Background work (docs/tasks.md): Django's tasks framework. TASKS_BACKEND "database" (the default:
# a table, `manage.py db_worker` runs them; `make run` starts one), "rq" (Redis at REDIS_URL, RQ
# workers: `manage.py rqworker --job-class django_tasks_rq.Job`), or "immediate" (run at once in the
# enqueuing process, for tests and one-off scripts).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database").strip().lower() or "database"
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (the Redis that holds the queue).")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND is {TASKS_BACKEND!r}: use database, rq or immediate.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"
# Where a login lands when ``next`` is missing or refused (another site): the admin, not Django's
# /accounts/profile/, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"

# Uploads: the importer enforces its own limit (IMPORT_MAX_BYTES) and names the file it refused;
# Django's own limits stay a little above it so that the importer's message is the one shown.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# A larger upload is stored (under imports/ in the default storage) and imported by a background task.
IMPORT_TASK_THRESHOLD_BYTES = int(os.environ.get("IMPORT_TASK_THRESHOLD_BYTES", str(1024 * 1024)))

# Web captures (sources.services.web): stored as WARC files in the default file storage.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
CAPTURE_MAX_BYTES = int(os.environ.get("CAPTURE_MAX_BYTES", str(10 * 1024 * 1024)))
CAPTURE_TIMEOUT = float(os.environ.get("CAPTURE_TIMEOUT", "30"))
CAPTURE_MAX_REDIRECTS = 10
CAPTURE_USER_AGENT = os.environ.get("CAPTURE_USER_AGENT", "EditorialProvenanceCapture/1.0 (archiving cited sources)")
CAPTURE_ALLOW_PRIVATE_ADDRESSES = env_bool("CAPTURE_ALLOW_PRIVATE_ADDRESSES")
CAPTURE_WATCH_WORKERS = int(os.environ.get("CAPTURE_WATCH_WORKERS", "8"))
CAPTURE_OBEY_ROBOTS = env_bool("CAPTURE_OBEY_ROBOTS", default=True)
CAPTURE_PER_HOST_INTERVAL = float(os.environ.get("CAPTURE_PER_HOST_INTERVAL", "1.0"))

TAGGIT_CASE_INSENSITIVE = True

# The public API is read-only and anonymous; writes go through the admin.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_THROTTLE_RATE", "120/minute")},
    # The client's address: REMOTE_ADDR, or with N trusted proxies the Nth address from the end of
    # X-Forwarded-For (the one the outermost proxy saw). Never the whole header a client can forge.
    "NUM_PROXIES": env_count("TRUSTED_PROXY_COUNT", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Editorial platform API",
    "DESCRIPTION": "Read-only access to published claims, their citations and sources.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Security. Debug mode (make run) serves plain HTTP on localhost; everything else is production.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the admin's JavaScript reads the token from the form, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response (django-csp): nothing inline, nothing from elsewhere.
# The admin, the citation picker and the API docs (SpectacularSwaggerSplitView) load their scripts
# and styles from files; the claim pages' JSON-LD is a data block, which CSP does not govern.
# Swagger UI's stylesheet draws its icons from data: URLs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a hard-to-undo commitment for the whole domain; the operator opts in with
        # DJANGO_SECURE_HSTS_PRELOAD=1 rather than the software making it for them.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
