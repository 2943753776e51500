"""Scheduled publishing end to end: a page approved for a future time reaches the built site at that time."""

import datetime
import time

import pytest

from django.core.management import call_command
from django.utils import timezone

from ..conftest import make_case

pytestmark = pytest.mark.django_db


def test_a_scheduled_page_reaches_the_site_at_its_time(site_dirs, django_capture_on_commit_callbacks):
    site = site_dirs[1]
    page = make_case("goes-live-later", "定时上线的案例", publish=False)
    go_live = timezone.now() + datetime.timedelta(seconds=2)
    page.go_live_at = go_live
    revision = page.save_revision()
    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()  # publishing a revision with a future go-live time schedules it
        call_command("run_scheduler", "--once")
    page.refresh_from_db()
    assert not page.live
    assert not (site / "cases" / "goes-live-later").exists()

    time.sleep(max(0.0, (go_live - timezone.now()).total_seconds()) + 0.2)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once")  # what `make run` and deployments run every 30 s
    page.refresh_from_db()
    assert page.live
    html = (site / "cases" / "goes-live-later" / "index.html").read_text(encoding="utf-8")
    assert "定时上线的案例" in html
