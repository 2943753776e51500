"""Stable URLs: a page whose slug changes keeps its old address, which forwards to the new one."""

import shutil

import pytest

from django.core.management import call_command

from wagtail.contrib.redirects.models import Redirect

from cms.cases.models import CaseStudyPage
from cms.publishing.build import build_site
from cms.publishing.export import export_snapshot
from cms.publishing.loader import Loader
from cms.publishing.portable import ContentError

from ..conftest import CONTENT, read_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def rename(django_capture_on_commit_callbacks):
    """Publish a new slug, as an editor does; Wagtail records the old address when the change commits."""

    def rename(slug, new_slug):
        page = CaseStudyPage.objects.get(slug=slug)
        page.slug = new_slug
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision().publish()
        return page

    return rename


def test_changing_a_published_slug_keeps_the_old_address(site_dirs, rename):
    build_site()
    rename("hefei-red-property", "hefei-red-property-2024")
    assert Redirect.objects.filter(old_path="/cases/hefei-red-property").exists()  # Wagtail records it
    snap = export_snapshot()
    assert {"from": "/cases/hefei-red-property/", "to": "/cases/hefei-red-property-2024/"} in snap.redirects
    build_site()
    site = site_dirs[1]
    new = read_page(site, "cases/hefei-red-property-2024")
    assert "聚焦问题短板" in new
    old = read_page(site, "cases/hefei-red-property")
    assert '<meta http-equiv="refresh" content="0; url=../../cases/hefei-red-property-2024/">' in old
    assert 'href="../hefei-red-property-2024/"' in old  # a plain link for anyone whose browser does not follow
    assert "data-search-body" not in old  # not a search result


def test_a_redirect_to_a_draft_or_private_page_never_leaves_the_cms(site_dirs, rename):
    page = rename("hefei-red-property", "hefei-renamed")
    page.unpublish()
    Redirect.objects.create(old_path="/cases/some-old-path", redirect_page=CaseStudyPage.objects.get(pk=page.pk))
    snap = export_snapshot()
    assert [r for r in snap.redirects if "hefei" in r["to"] or r["from"] == "/cases/some-old-path/"] == []


def test_a_live_page_wins_over_an_old_address(site_dirs, rename):
    rename("hefei-red-property", "hefei-tmp")
    rename("hefei-tmp", "hefei-red-property")  # back again: the first redirect now points at itself
    snap = export_snapshot()
    assert all(r["from"] != "/cases/hefei-red-property/" for r in snap.redirects)


def test_redirects_are_part_of_the_backup(tmp_path, rename):
    rename("hefei-red-property", "hefei-red-property-2024")
    call_command("dump_content", str(tmp_path / "dump"), verbosity=0)
    text = (tmp_path / "dump" / "redirects.yaml").read_text(encoding="utf-8")
    assert "from: /cases/hefei-red-property/" in text and "to: /cases/hefei-red-property-2024/" in text
    Redirect.objects.all().delete()
    Loader(tmp_path / "dump").run()
    assert Redirect.objects.get(old_path="/cases/hefei-red-property").redirect_page.slug == "hefei-red-property-2024"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- from: /cases/a/\n  to: ../../etc/passwd\n", "第 1 项的“to”应为"),
        ("- from: /admin/\n  to: /cases/hefei-red-property/\n", "第 1 项的“from”应为"),
        ("- from: /cases/a/\n  to: /cases/no-such-case/\n", "第 1 项指向的页面“/cases/no-such-case/”不存在"),
        ("from: /cases/a/\n", "应为一个列表"),
    ],
)
def test_bad_redirects_file_is_refused_in_chinese(tmp_path, text, message):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    (folder / "redirects.yaml").write_text(text, encoding="utf-8")
    before = Redirect.objects.count()
    with pytest.raises(ContentError) as caught:
        Loader(folder).run()
    assert "redirects.yaml" in str(caught.value) and message in str(caught.value)
    assert Redirect.objects.count() == before
