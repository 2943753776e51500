"""The built site in S3-compatible object storage, tested against a real server (SeaweedFS on loopback):
publish, edit, unpublish, an outage during a build, and a reader fetching while the bucket changes."""

import re
import threading
import time
import uuid

import pytest

from cms.cases.models import CaseStudyPage
from cms.publishing import object_store
from cms.publishing.build import build_site
from cms.publishing.tasks import retry_store_sync

from ..support.seaweed import SeaweedServer
from .test_renditions import photo, with_figures

pytestmark = pytest.mark.django_db
PURGED = []


def record_purge(paths):
    """The CDN purge hook of these tests (settings name it by its dotted path)."""
    PURGED.append(list(paths))


BUCKET = "jiceng-site"


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory):
    server = SeaweedServer(tmp_path_factory.mktemp("seaweed")).start()
    server.make_bucket(BUCKET)
    yield server
    server.stop()


class Public:
    """Anonymous reads of one test's site in the bucket (each test under a prefix of its own)."""

    def __init__(self, server, prefix):
        self.server, self.prefix = server, prefix

    def get(self, path):
        return self.server.public(BUCKET, self.prefix + path)


@pytest.fixture
def bucket(seaweed, settings, site_dirs):
    prefix = "t-" + uuid.uuid4().hex[:12]
    settings.SITE_OBJECT_STORE = seaweed.config(
        BUCKET, prefix=prefix, grace_seconds=0, purge="tests.publishing.test_object_store.record_purge"
    )
    PURGED.clear()
    return Public(seaweed, prefix + "/")


def test_a_build_publishes_to_the_bucket_only_what_changed(seaweed, bucket):
    first = build_site()
    assert first.store["uploaded"] > 100 and not first.store_error
    status, headers, body = bucket.get("cases/hefei-red-property/index.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and "no-cache" in headers["Cache-Control"]
    assert "物业" in body.decode("utf-8")
    status, headers, _ = bucket.get("cases/hefei-red-property/index.html.br")
    assert status == 200 and headers["Content-Encoding"] == "br" and headers["Content-Type"].startswith("text/html")
    css = re.search(r'href="\.\./\.\./(assets/stylesheets/main\.[0-9a-f]+\.min\.css)"', body.decode())
    status, headers, _ = bucket.get(css.group(1))
    assert status == 200 and "immutable" in headers["Cache-Control"] and headers["Content-Type"].startswith("text/css")
    assert build_site().store["uploaded"] == 0  # nothing changed, nothing sent

    # An edit sends the pages it changed, not the site.
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥市：物业党建联建（修订）"
    page.save_revision().publish()
    PURGED.clear()
    edited = build_site()
    (sent,) = PURGED  # the CDN hears of exactly what was sent
    assert 0 < edited.store["uploaded"] < first.store["uploaded"] / 2
    assert edited.store["uploaded"] + edited.store["deleted"] == len(sent)
    assert "cases/hefei-red-property/index.html" in sent and "cases/yingze-jinsong-community/index.html" not in sent
    assert not [p for p in sent if p.startswith("assets/")]  # the theme did not change
    assert "（修订）" in bucket.get("cases/hefei-red-property/index.html")[2].decode()

    # Unpublished: its objects leave the bucket (after the grace period, here none).
    CaseStudyPage.objects.get(pk=page.pk).unpublish()
    gone = build_site()
    assert gone.store["deleted"] > 0
    assert bucket.get("cases/hefei-red-property/index.html")[0] == 404
    assert bucket.get("api/cases/hefei-red-property.json")[0] == 404


def test_an_outage_keeps_the_last_good_site_and_the_sync_is_retried(seaweed, bucket):
    build_site()
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "停电期间的修改"
    page.save_revision().publish()
    seaweed.stop()
    try:
        result = build_site()  # the site itself builds; the bucket cannot be reached
    finally:
        seaweed.start()
    assert result.generation and "对象存储同步失败" in result.store_error
    assert {"item": "对象存储（S3）", "reason": result.store_error} in result.problems
    assert object_store.read_state()["error"]
    seaweed.wait_writable(BUCKET)
    deadline = time.monotonic() + 60  # and serves what it held before (its volumes load after it answers)
    while bucket.get("cases/hefei-red-property/index.html")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    status, _h, before = bucket.get("cases/hefei-red-property/index.html")
    assert status == 200 and "停电期间的修改" not in before.decode()  # the last good page, still served
    retried = retry_store_sync()  # what the scheduler does on its next tick
    assert retried["uploaded"] > 0 and not object_store.read_state()["error"]
    assert "停电期间的修改" in bucket.get("cases/hefei-red-property/index.html")[2].decode()
    assert retry_store_sync() is None  # nothing pending any more


def test_a_reader_never_meets_a_page_whose_pictures_are_not_there_yet(seaweed, bucket):
    build_site()
    page = with_figures(CaseStudyPage.objects.get(slug="hefei-red-property"), [photo("新照片.jpg", seed=7)])
    page.save_revision().publish()
    seen, broken, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            status, _h, body = bucket.get("cases/hefei-red-property/index.html")
            names = set(re.findall(r"media/[0-9a-f]{40}-w\d+\.(?:webp|jpg)", body.decode("utf-8", "replace")))
            if names:
                seen.append(len(names))
                broken.extend(n for n in names if bucket.get(n)[0] != 200)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        build_site()
        time.sleep(0.5)  # and a moment after the switch
    finally:
        stop.set()
        thread.join()
    assert seen  # the reader did meet the page with its new picture
    status, _h, body = bucket.get("cases/hefei-red-property/index.html")
    assert "-w360.webp" in body.decode()  # the reader may or may not have caught the switch; the site did
    assert broken == []
