"""Settings shared by every profile; profiles override what differs."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "cms.core",
    "cms.organisations",
    "cms.cases",
    "cms.lists",
    "cms.signage",
    "cms.publishing",
    "cms.api",
    "wagtail.api.v3",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "django_tasks",
    "django_tasks_db",
    "modelcluster",
    "taggit",
    "django_filters",
    "axes",
    "csp",
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.publishing.middleware.PublicSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.api.access.PublicRedirectMiddleware",
    "cms.api.access.MaskedPublicApiMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing: five failures for a username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "cms.core.views.locked_out"
AXES_RESET_ON_SUCCESS = True

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"


def database_from_env():
    """SQLite in the project folder unless DATABASE_URL names another database.

    SQLite runs in WAL mode (readers never block the writer), transactions take the write lock when they
    begin (no deadlock when two of them want to write) and a writer waits up to 20 s for the lock: editors,
    API clients and the build worker share `make run`'s database without "database is locked" errors.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    import dj_database_url

    return dj_database_url.parse(url, conn_max_age=60)


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Our translations of what Wagtail's zh_Hans leaves in English (cms/locale), ahead of the apps' own.
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Compressed copies of theme assets by content digest, kept across worker restarts (see publishing/compress.py).
COMPRESSED_ASSET_CACHE = Path(os.environ.get("JICENG_ASSET_CACHE", BASE_DIR / ".cache" / "compressed"))
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The CMS's own uploads (editors only, cms/api/access.py); /media/ is the public site's pictures.
MEDIA_URL = "/uploads/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The public site is the MkDocs build; whitenoise serves it at "/" beside the admin.
SITE_OUTPUT_DIR = Path(os.environ.get("JICENG_SITE_DIR", BASE_DIR / "site"))
SITE_SOURCE_DIR = Path(os.environ.get("JICENG_SITE_SRC", BASE_DIR / "site_src"))
MKDOCS_CONFIG = Path(os.environ.get("JICENG_MKDOCS_CONFIG", BASE_DIR / "mkdocs.yml"))
CONTENT_DIR = Path(os.environ.get("JICENG_CONTENT_DIR", BASE_DIR / "content"))
WHITENOISE_INDEX_FILE = True
# The site changes whenever an editor publishes: browsers revalidate (ETag) instead of caching blindly.
WHITENOISE_MAX_AGE = 0

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "基层 · 社区治理公开平台"
WAGTAIL_I18N_ENABLED = False
# No admin page calls another host: avatars from Gravatar and Wagtail's release check and “what's new” banner
# are slow or blocked in mainland China (the admin shows initials instead of avatars).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "xlsx", "txt"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
HANDWRITTEN_PAGES_DIR = BASE_DIR / "site_src"
PUBLIC_SITE_URL = os.environ.get("JICENG_PUBLIC_URL", "http://127.0.0.1:8000/")
# Page rendering of a full build is split over this many forked processes.
# Every build also goes to an S3-compatible bucket when these are set (cms/publishing/object_store.py).
SITE_OBJECT_STORE = (
    {
        "endpoint_url": os.environ["JICENG_S3_ENDPOINT"],
        "bucket": os.environ.get("JICENG_S3_BUCKET", "jiceng-site"),
        "access_key": os.environ.get("JICENG_S3_ACCESS_KEY", ""),
        "secret_key": os.environ.get("JICENG_S3_SECRET_KEY", ""),
        "prefix": os.environ.get("JICENG_S3_PREFIX", ""),
        "grace_seconds": float(os.environ.get("JICENG_S3_GRACE_SECONDS", "3600")),
        "purge": os.environ.get("JICENG_CDN_PURGE", ""),
    }
    if os.environ.get("JICENG_S3_ENDPOINT")
    else None
)
SITE_BUILD_WORKERS = int(os.environ.get("JICENG_BUILD_WORKERS", "2"))

# Background work (site builds, Wagtail's own tasks) goes through a database-backed queue; `make run`
# starts its worker (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "site"]}}
# A burst of publishes is built once: a queued build starts after this many quiet seconds.
SITE_BUILD_DEBOUNCE = float(os.environ.get("JICENG_BUILD_DEBOUNCE", "2"))
# The build worker keeps its cache in site_src/.cache/ as well, so a restart or a deploy that leaves the
# code alone does not rebuild everything ("0" turns this off).
SITE_BUILD_CACHE_KEPT = os.environ.get("JICENG_BUILD_CACHE_KEPT", "1") != "0"
SITE_BUILD_CACHE_SAVE_SECONDS = float(os.environ.get("JICENG_BUILD_CACHE_SAVE_SECONDS", "30"))  # at most this often

# Wagtail records a redirect when a published page's slug changes only for pages it serves itself; this
# CMS is headless, so cms.publishing.signals records them (and Wagtail's recorder, finding no URL, would
# delete the automatically created ones).
WAGTAILREDIRECTS_AUTO_CREATE = False

# Uploads pass the same gate as pages (no control characters in titles and alt text).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.core.media_forms.ImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.core.media_forms.DocumentForm"
