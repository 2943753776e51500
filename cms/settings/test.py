"""Test profile: fast hashing; output directories are set per test to temporary folders."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

# Tests never write the real site_src/ or site/: anything not pointed elsewhere by a test lands here.
_SCRATCH = Path(tempfile.mkdtemp(prefix="jiceng-test-"))
atexit.register(shutil.rmtree, _SCRATCH, True)
SITE_SOURCE_DIR = _SCRATCH / "site_src"
SITE_OUTPUT_DIR = _SCRATCH / "site"
MEDIA_ROOT = _SCRATCH / "media"

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
# Tasks run at once, in the test process; builds do not wait for a burst to settle.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "site"]}}
SITE_BUILD_DEBOUNCE = 0
# The build cache is kept on disk only where a test asks for it (tests/publishing/test_warm_restart.py).
SITE_BUILD_CACHE_KEPT = False
# A content kind that lives only in the tests (its test registers it): the registry's proof.
INSTALLED_APPS = INSTALLED_APPS + ["tests.throwaway"]  # noqa: F405
