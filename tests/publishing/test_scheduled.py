"""Scheduled publishing end to end: a page approved for a future time reaches the built site at that time."""

import datetime
import io
import time

import pytest

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Revision

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


def test_a_scheduled_page_that_may_not_go_out_holds_back_no_other(site_dirs, django_capture_on_commit_callbacks):
    """One page with unmasked personal data, scheduled before the gate saw it, is named and stays scheduled;
    the page scheduled after it still goes live on the same run."""
    site = site_dirs[1]
    bad = make_case("scheduled-with-phone", "含手机号的定时案例", publish=False)
    bad.summary = "联系电话 13812345678"
    good = make_case("scheduled-fine", "无问题的定时案例", publish=False)
    past = timezone.now() - datetime.timedelta(minutes=1)
    bad_revision, good_revision = bad.save_revision(), good.save_revision()
    # As if scheduled earlier (say, while a reviewer's reason to keep it stood): Wagtail orders by this time.
    Revision.objects.filter(pk=bad_revision.pk).update(approved_go_live_at=past)
    Revision.objects.filter(pk=good_revision.pk).update(approved_go_live_at=past + datetime.timedelta(seconds=1))
    err = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stderr=err)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.live and (site / "cases" / "scheduled-fine" / "index.html").exists()
    assert not bad.live and not (site / "cases" / "scheduled-with-phone").exists()
    assert "含手机号的定时案例" in err.getvalue() and "个人信息" in err.getvalue()
    assert Revision.objects.get(pk=bad_revision.pk).approved_go_live_at is not None  # still scheduled
