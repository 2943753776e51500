"""Shared fixtures: the test database holds the real content/ once per session; builds go to tmp dirs."""

import json
import shutil
from pathlib import Path

import pytest

from django.core.management import call_command
from django.db import connections
from django.test import override_settings

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load content/ once; every test runs in a transaction rolled back afterwards."""
    with django_db_blocker.unblock():
        call_command("load_content", str(CONTENT), "--no-build", verbosity=0)
        # Tests that must commit (transaction=True, serialized_rollback=True) get this state back afterwards.
        for alias in connections:
            connections[alias]._test_serialized_contents = connections[alias].creation.serialize_db_to_string()


@pytest.fixture
def site_dirs(tmp_path, settings):
    """Point the build at temporary folders so tests never touch site_src/ or site/."""
    settings.SITE_SOURCE_DIR = tmp_path / "site_src"
    settings.SITE_OUTPUT_DIR = tmp_path / "site"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.SITE_SOURCE_DIR, settings.SITE_OUTPUT_DIR


@pytest.fixture(scope="session")
def seeded_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The site built once from content/, for tests that only read it."""
    from cms.publishing.build import build_site

    root = tmp_path_factory.mktemp("seeded")
    with (
        django_db_blocker.unblock(),
        override_settings(SITE_SOURCE_DIR=root / "site_src", SITE_OUTPUT_DIR=root / "site"),
    ):
        build_site()
    yield root / "site"
    shutil.rmtree(root, ignore_errors=True)


def sitemap_urls(site):
    """Every address the site's sitemap lists: its index (sitemap.xml), then the files the index names."""
    import xml.etree.ElementTree as ET

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.parse(Path(site) / "sitemap.xml").getroot()
    assert index.tag == f"{ns}sitemapindex"
    urls = []
    for loc in index.iter(f"{ns}loc"):
        part = ET.parse(Path(site) / loc.text.split("/", 3)[3]).getroot()
        urls += [u.text for u in part.iter(f"{ns}loc")]
    return urls


def read_page(site, url_path):
    """The HTML of a built page by its public URL path, e.g. "cases/hefei-red-property/"."""
    return (Path(site) / url_path / "index.html").read_text(encoding="utf-8")


def search_records(site):
    """The page records a resident's search can show, decoded: [{"url", "title", "content", "kind", "places",
    "rows"}].

    That is every bundle's documents (search-index/<bundle>/d/*.json) less the base's stale copies (the
    search page never shows those, as listed in search-index/index.json).
    """
    index = Path(site) / "search-index"
    manifest = json.loads((index / "index.json").read_text(encoding="utf-8"))
    stale = set(manifest["stale"])
    records = []
    for bundle in manifest["bundles"]:
        for path in (index / bundle["path"] / "d").glob("*.json"):
            number = bundle["first"] + int(path.stem)
            if number in stale:
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            rows = {row_id: data["x"][start:end] for row_id, start, end in data["w"]}
            records.append(
                {
                    "url": data["u"],
                    "title": data["t"],
                    "content": data["x"],
                    "kind": data["k"],
                    "label": data["l"],
                    "places": data["p"],
                    "rows": rows,
                }
            )
    return records


def article(html):
    """The page's own content, without navigation."""
    return html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]


def make_case(slug, title, publish=True, region="hefei"):
    """A case page under the cases section, published or (as the admin creates it) a draft."""
    from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
    from cms.core.models import Region

    page = CaseStudyPage(
        title=title,
        slug=slug,
        region=Region.objects.get(slug=region),
        summary=f"{title}的摘要",
        source_publisher="测试日报",
        live=publish,  # a page the admin creates as a draft is not live
    )
    CaseStudyIndexPage.objects.get().add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def empty_content():
    """An empty database, as a restore meets it: no pages below the root, no regions, images or documents."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page

    from cms.core.models import Region

    Page.objects.filter(depth=2).delete()
    for level in sorted(Region.Level.values, reverse=True):  # leaves first: parents are protected
        Region.objects.filter(level=level).delete()
    get_image_model().objects.all().delete()
    get_document_model().objects.all().delete()
