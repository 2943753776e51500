"""Queue and run site builds through Django's task framework (django-tasks, as Wagtail uses it).

A change asks for a build with ``request_build``. Changes that arrive while a build is still queued
join it (a burst of publishes makes one build); a change that arrives while a build runs queues the
next one, so nothing is lost. Only one build runs at a time on a machine (a file lock), and a build
is claimed by compare-and-set, so two workers never run the same one.
"""

import contextlib
import fcntl
import logging
import os
import threading
import time
from pathlib import Path

from django_tasks import task

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from . import object_store
from .build import build_site
from .cache import BuildCache
from .models import SiteBuild

log = logging.getLogger(__name__)
# The worker's build cache, kept for the life of the process and on disk: each build costs what changed,
# the first after a restart included.
WORKER_CACHE = BuildCache(persistent=True)
MAX_COALESCE_WAIT = 15.0
_paused = threading.local()


@contextlib.contextmanager
def builds_paused():
    """Bulk changes (loading a content folder) ask for one build at the end instead of one per page."""
    _paused.depth = getattr(_paused, "depth", 0) + 1
    try:
        yield
    finally:
        _paused.depth -= 1


def request_build(reason, user=None, full=False):
    """Ask for the site to be brought up to date; returns the queued SiteBuild the request joined."""
    if getattr(_paused, "depth", 0):
        return None
    reason = " ".join(str(reason).split())[:300]
    now = timezone.now()
    with transaction.atomic():
        queued = SiteBuild.objects.filter(status=SiteBuild.Status.QUEUED).order_by("pk").first()
        if queued is not None:
            changes = {"reasons": Concat(F("reasons"), Value("\n" + reason)), "updated_at": now}
            if full:
                changes["full"] = True
            if SiteBuild.objects.filter(pk=queued.pk, status=SiteBuild.Status.QUEUED).update(**changes):
                return queued
        build = SiteBuild.objects.create(reasons=reason, requested_by=user, full=full)
        transaction.on_commit(lambda: run_site_build.enqueue(build.pk))
    return build


def lock_path():
    folder = Path(settings.SITE_OUTPUT_DIR).with_name(Path(settings.SITE_OUTPUT_DIR).name + ".builds")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / ".lock"


@contextlib.contextmanager
def build_lock(blocking=True):
    """One build at a time per site folder, across processes. Yields False if not blocking and busy."""
    with open(lock_path(), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover_interrupted_builds():
    """A build marked running while nobody holds the build lock was killed: record it and build again.

    The next build exports the whole current state, so the changes the killed build carried are not lost.
    """
    if not SiteBuild.objects.filter(status=SiteBuild.Status.RUNNING).exists():
        return []
    with build_lock(blocking=False) as acquired:
        if not acquired:
            return []  # a build is running right now
        stale = list(SiteBuild.objects.filter(status=SiteBuild.Status.RUNNING))
        SiteBuild.objects.filter(pk__in=[b.pk for b in stale]).update(
            status=SiteBuild.Status.FAILED,
            finished_at=timezone.now(),
            error="构建进程中断（进程被终止或机器重启），已自动重新排队。",
        )
    if stale:
        request_build("恢复：重新执行被中断的构建 " + "、".join(f"#{b.pk}" for b in stale))
    return stale


def wait_for_quiet(build_id):
    """Let a burst of changes settle: start once no change has joined for SITE_BUILD_DEBOUNCE seconds."""
    deadline = time.monotonic() + MAX_COALESCE_WAIT
    while time.monotonic() < deadline:
        updated = (
            SiteBuild.objects.filter(pk=build_id, status=SiteBuild.Status.QUEUED)
            .values_list("updated_at", flat=True)
            .first()
        )
        if updated is None:
            return
        quiet = (timezone.now() - updated).total_seconds()
        if quiet >= settings.SITE_BUILD_DEBOUNCE:
            return
        time.sleep(settings.SITE_BUILD_DEBOUNCE - quiet)


def run_build(build_id, cache=None):
    """Run one queued build to the end, recording its outcome; returns the SiteBuild or None if not ours.

    ``cache`` defaults to the worker's own (``WORKER_CACHE``)."""
    recover_interrupted_builds()
    wait_for_quiet(build_id)
    with build_lock():
        claimed = SiteBuild.objects.filter(pk=build_id, status=SiteBuild.Status.QUEUED).update(
            status=SiteBuild.Status.RUNNING, started_at=timezone.now()
        )
        if not claimed:
            return None
        build = SiteBuild.objects.get(pk=build_id)
        try:
            result = build_site(force_full=build.full, cache=WORKER_CACHE if cache is None else cache)
        except Exception as exc:
            log.exception("site build %s failed", build_id)
            build.status, build.error = SiteBuild.Status.FAILED, str(exc)[:10000]
        else:
            build.status = SiteBuild.Status.DONE
            build.full, build.pages_rendered, build.generation = result.full, result.rendered, result.generation
            build.timings = {key: round(value, 3) for key, value in result.timings.items()}
            build.problems = result.problems[:500]
            build.day = result.day
        build.finished_at = timezone.now()
        build.save()
    return build


# Builds have a queue of their own: never behind Wagtail's search-index and reference-index tasks.
SITE_QUEUE = "site"


@task(queue_name=SITE_QUEUE)
def run_site_build(build_id):
    """Task: bring the public site up to date for a queued SiteBuild."""
    build = run_build(build_id)
    return build.status if build else "skipped"


def retry_store_sync():
    """The scheduler's tick: when the last sync to the object store failed, try again with the live site
    (under the build lock, so a build and a retry never write at once). Returns what it did, or None when
    nothing was pending. Raises object_store.StoreError when the store still fails."""
    if not object_store.configured() or not object_store.read_state().get("error"):
        return None
    with build_lock():
        output = Path(settings.SITE_OUTPUT_DIR)
        if not output.exists():
            return None
        return object_store.publish(output, generation=os.path.basename(os.path.realpath(output)))


def request_period_builds():
    """Ask for a build when a display period (公示期) has started or ended since the day the site shows:
    the site changes at the boundary by itself (``run_scheduler`` calls this on every tick)."""
    from django.db.models import Q

    from cms.core import periods
    from cms.core.kinds import kinds

    today = periods.today()
    last = SiteBuild.objects.filter(status=SiteBuild.Status.DONE, day__isnull=False).order_by("-pk").first()
    if last is None or last.day >= today:
        return None
    since = last.day
    for kind in kinds():
        if not kind.period:
            continue
        started = Q(display_start__gt=since, display_start__lte=today)
        ended = Q(display_end__gte=since, display_end__lt=today)  # the day after the end is the boundary
        if kind.model.objects.live().filter(started | ended).exists():
            return request_build(f"公示期开始或结束（{today}）")
    return None
