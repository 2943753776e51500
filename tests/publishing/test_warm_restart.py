"""A worker that restarts warm: the build cache is kept on disk, keyed by content, and taken up again."""

import pickle

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.cases.models import CaseStudyPage
from cms.publishing import cache as cache_module
from cms.publishing.build import build_site
from cms.publishing.cache import SAVED_NAME, BuildCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings, site_dirs):
    settings.SITE_BUILD_CACHE_KEPT = True
    source, _site = site_dirs
    return source / ".cache" / SAVED_NAME


def first_build():
    cache = BuildCache(persistent=True)
    result = build_site(cache=cache)
    cache.wait_for_save()
    return result


def test_a_restarted_worker_takes_up_the_kept_cache_and_builds_only_what_changed(kept):
    first = first_build()
    assert first.full and kept.exists()
    with CaptureQueriesContext(connection) as cold_queries:
        build_site(cache=BuildCache())  # a process without the kept cache: loads every page again
    restarted = BuildCache(persistent=True)
    with CaptureQueriesContext(connection) as warm_queries:
        result = build_site(cache=restarted)
    assert restarted.restored and "restore_cache" in result.timings
    assert not result.full and result.rendered == 0 and result.changed_sources == 0

    # Its export reused the kept entries: no page was loaded from the database again (with its practices).
    def loads(queries):
        return [q["sql"] for q in queries.captured_queries if 'FROM "cases_casepractice"' in q["sql"]]

    assert loads(cold_queries) and not loads(warm_queries)
    page = CaseStudyPage.objects.live().first()
    page.title += "（重启后修改）"
    page.save_revision().publish()
    edited = build_site(cache=restarted)
    # Its page, its section, the region pages above it, its theme pages, the home page: not the whole site.
    assert not edited.full and 1 <= edited.rendered <= 20 < first.rendered
    restarted.wait_for_save()


def test_a_kept_cache_from_other_code_another_database_or_anyone_else_is_not_used(kept, settings, monkeypatch):
    first_build()
    good = kept.read_bytes()

    def refused():
        cache = BuildCache(persistent=True)
        return cache.restore(kept.parent) is False and not cache.export.entries and not cache.memos

    assert not refused()  # as written: taken up
    monkeypatch.setattr(cache_module, "code_version", lambda: "0" * 64)  # a deploy that changed the code
    assert refused()
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "database_identity", lambda: ("sqlite", "/elsewhere.sqlite3", ""))
    assert refused()
    monkeypatch.undo()
    settings.SECRET_KEY = "another-installation"
    assert refused()
    settings.SECRET_KEY = "test-only-key"
    # Someone who can write site_src/.cache cannot make the worker unpickle their file.
    forged = pickle.dumps({"export": (None, {}, {}), "memos": {}, "derived": {}})
    kept.write_bytes(forged + good[-64:])
    assert refused()


def test_a_torn_cache_file_costs_a_cold_build_not_a_failed_one(kept):
    first_build()
    kept.write_bytes(kept.read_bytes()[:100])
    result = build_site(cache=BuildCache(persistent=True))
    assert not result.problems and not result.full


def test_without_the_setting_nothing_is_kept(settings, site_dirs):
    settings.SITE_BUILD_CACHE_KEPT = False
    cache = BuildCache(persistent=True)
    build_site(cache=cache)
    cache.wait_for_save()
    assert not (site_dirs[0] / ".cache" / SAVED_NAME).exists()


def test_a_burst_of_builds_saves_the_cache_once_per_interval(kept, settings):
    settings.SITE_BUILD_CACHE_SAVE_SECONDS = 3600
    cache = BuildCache(persistent=True)
    build_site(cache=cache)
    cache.wait_for_save()
    first = kept.stat().st_mtime_ns
    build_site(cache=cache)
    cache.wait_for_save()
    assert kept.stat().st_mtime_ns == first  # the second build of the burst did not write it again
    settings.SITE_BUILD_CACHE_SAVE_SECONDS = 0
    build_site(cache=cache)
    cache.wait_for_save()
    assert kept.stat().st_mtime_ns > first


def test_the_kept_cache_is_written_in_small_parts_and_read_back_whole(kept, monkeypatch):
    """The cache is saved as a stream of small pickles (each with its own memo): read back, it is the same
    cache — export entries, every memo with its stamp, the per-entry lookups — however it was cut."""
    monkeypatch.setattr(BuildCache, "SAVE_CHUNK", 3)
    cache = BuildCache(persistent=True)
    build_site(cache=cache)
    cache.wait_for_save()
    parts = list(cache.parts())
    assert sum(1 for part in parts if part[0] == "items" and part[1] == ("export",)) > 2  # cut in many parts
    restored = BuildCache(persistent=True)
    assert restored.restore(kept.parent)
    assert restored.export.entries == cache.export.entries and restored.export.token == cache.export.token
    assert {k: (m.found, m.stamp) for k, m in restored.memos.items()} == {
        k: (m.found, m.stamp) for k, m in cache.memos.items()
    }
    assert restored.derived == cache.derived
