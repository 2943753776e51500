"""Production profile and protections: deploy checks, refusal without secrets, headers, login lockout."""

import os
import secrets
import subprocess
import sys

import pytest

from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from cms.publishing.middleware import SITE_CSP

from ..conftest import REPO

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "jiceng.example",
    "DATABASE_URL": "sqlite:////tmp/jiceng-deploy-check.sqlite3",
    "WAGTAILADMIN_BASE_URL": "https://jiceng.example",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "WAGTAIL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"环境变量 {missing} 未设置" in result.stderr


@pytest.mark.django_db
def test_the_public_site_is_served_with_a_strict_policy(seeded_site):
    with override_settings(SITE_OUTPUT_DIR=seeded_site):
        response = Client().get("/cases/hefei-red-property/")
    assert response["Content-Security-Policy"] == SITE_CSP
    assert "default-src 'self'" in SITE_CSP and "http" not in SITE_CSP
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_cms_sends_a_content_security_policy_in_production():
    from cms.settings import production_policy

    with override_settings(CONTENT_SECURITY_POLICY=production_policy.CONTENT_SECURITY_POLICY):
        response = Client().get("/admin/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_with_a_chinese_message():
    get_user_model().objects.create_user("guessed", password="the-right-password")
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "guessed", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post("/admin/login/", {"username": "guessed", "password": "the-right-password"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
