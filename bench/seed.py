"""Fill the CMS with N synthetic published pages (for benchmarks): real Wagtail page rows, real child rows.

Pages are written in bulk — the tree paths computed here as treebeard computes them, one INSERT per batch of
page rows, one per page's own table row, batches for practices, figures, list rows, signs, communities and
themes — so 100,000 pages take about a minute, not the half hour of saving them one at a time through
``add_child`` (which runs full_clean, the tree lookup and the child relations' saves for each). The rows are
the same as ``add_child`` would write: ``tests/bench/test_seed.py`` compares the two.
"""

import datetime
import sys
import time
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.test import override_settings

from taggit.models import Tag
from wagtail.blocks.stream_block import StreamValue
from wagtail.models import Page

from bench.synthetic import page_entries, region_tree
from cms.cases.models import CaseKeyFigure, CasePractice, CaseStudyIndexPage, CaseStudyPage, CaseStudyTheme
from cms.core.models import Region
from cms.lists.models import DutyListIndexPage, DutyListPage, ListItem
from cms.publishing.tasks import builds_paused
from cms.signage.models import RetainedSign, SignageNoticeIndexPage, SignageNoticePage

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "site"]}}
LEVELS = {"省": 1, "市": 2, "区县": 3, "街道乡镇": 4, "社区": 5}
BATCH = 1000


def create_regions(tree, parent=None, out=None):
    out = {} if out is None else out
    for node in tree:
        region = Region.objects.create(name=node["name"], slug=node["slug"], level=LEVELS[node["level"]], parent=parent)
        out[node["slug"]] = region
        create_regions(node.get("children", []), region, out)
    return out


def stream(page, field, blocks):
    return StreamValue(page._meta.get_field(field).stream_block, blocks, is_lazy=True)


def case_page(entry, regions):
    m = entry["meta"]
    page = CaseStudyPage(
        title=m["title"],
        slug=m["slug"],
        translation_key=m["id"],
        region=regions[m["region"]],
        summary=m["summary"],
        source_publisher=m["source"]["publisher"],
        source_date=datetime.date.fromisoformat(m["source"]["date"]),
    )
    page.body = stream(page, "body", entry["blocks"])
    return page


def case_children(page, entry, regions, tags):
    m = entry["meta"]
    rows = [CasePractice(page_id=page.pk, sort_order=n, **p) for n, p in enumerate(m["practices"])]
    rows += [
        CaseKeyFigure(
            page_id=page.pk,
            sort_order=n,
            label=f["label"],
            value=Decimal(f["value"]),
            unit=f["unit"],
            before=Decimal(f["before"]) if f.get("before") else None,
        )
        for n, f in enumerate(m["key_figures"])
    ]
    through = CaseStudyPage.communities.through
    rows += [through(casestudypage_id=page.pk, region_id=regions[s].pk) for s in m["communities"]]
    rows += [CaseStudyTheme(content_object_id=page.pk, tag=tags[name]) for name in m["themes"]]
    return rows


def list_page(entry, regions):
    m = entry["meta"]
    return DutyListPage(
        title=m["title"],
        slug=m["slug"],
        translation_key=m["id"],
        region=regions[m["region"]],
        list_kind=m["list_kind"],
        version_label=m["version_label"],
        intro=entry["text"],
        publisher="区民政局",
    )


def list_children(page, entry, regions, tags):
    return [
        ListItem(
            page_id=page.pk,
            sort_order=n,
            number=i["number"],
            category=i["category"],
            name=i["name"],
            alternative_kind=i["alternative_kind"],
            alternative=i["alternative"],
            basis=[("basis", {"text": b["text"], "version": ""}) for b in i["basis"]],
        )
        for n, i in enumerate(entry["meta"]["items"])
    ]


def notice_page(entry, regions):
    m = entry["meta"]
    page = SignageNoticePage(
        title=m["title"],
        slug=m["slug"],
        translation_key=m["id"],
        community=regions[m["community"]],
        notice_date=datetime.date.fromisoformat(m["date"]),
        count_before=20,
        count_removed=15,
        count_after=5,
    )
    page.body = stream(page, "body", entry["blocks"])
    return page


def notice_children(page, entry, regions, tags):
    return [
        RetainedSign(page_id=page.pk, sort_order=n, kind=s["kind"], text=s["text"])
        for n, s in enumerate(entry["meta"]["retained_signs"])
    ]


def insert_pages(parent, pages):
    """Write live pages as the last children of ``parent``: the base rows in bulk, then each page's own row."""
    depth = parent.depth + 1
    last = parent.get_last_child()
    step = last._get_lastpos_in_path() if last else 0
    content_type = ContentType.objects.get_for_model(type(pages[0]))
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    for n, page in enumerate(pages, start=step + 1):
        page.depth, page.path, page.numchild = depth, Page._get_path(parent.path, depth, n), 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.draft_title, page.live, page.has_unpublished_changes = page.title, True, False
        page.locale_id, page.content_type = parent.locale_id, content_type
        page.normalize_rich_text()  # what full_clean does to body paragraphs on a real save
    rows = Page.objects.bulk_create(
        [Page(**{f.attname: getattr(page, f.attname) for f in base_fields}) for page in pages], batch_size=BATCH
    )
    for page, row in zip(pages, rows, strict=True):
        page.id = page.page_ptr_id = row.pk
        page.save_base(raw=True, force_insert=True)  # only the kind's own table: the base row is in
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.refresh_from_db()


def seed(pages, progress=sys.stdout):
    """Create the region tree and `pages` live pages (70 % cases, 20 % lists, 10 % notices)."""
    tree = region_tree()
    cases, lists, notices = page_entries(pages, tree)
    started = time.perf_counter()
    # Search-index and reference-index updates are background tasks: a benchmark seed skips them.
    with builds_paused(), override_settings(TASKS=DUMMY_TASKS), transaction.atomic():
        regions = create_regions(tree)
        names = sorted({name for entry in cases for name in entry["meta"]["themes"]})
        tags = {name: Tag.objects.get_or_create(name=name)[0] for name in names}
        done = 0
        for index_model, entries, make, children in (
            (CaseStudyIndexPage, cases, case_page, case_children),
            (DutyListIndexPage, lists, list_page, list_children),
            (SignageNoticeIndexPage, notices, notice_page, notice_children),
        ):
            parent = index_model.objects.get()
            for start in range(0, len(entries), BATCH):
                chunk = entries[start : start + BATCH]
                pages_ = [make(entry, regions) for entry in chunk]
                insert_pages(parent, pages_)
                rows = [
                    row
                    for page, entry in zip(pages_, chunk, strict=True)
                    for row in children(page, entry, regions, tags)
                ]
                by_model = {}
                for row in rows:
                    by_model.setdefault(type(row), []).append(row)
                for model, objs in by_model.items():
                    model.objects.bulk_create(objs, batch_size=BATCH)
                done += len(chunk)
                progress.write(f"  已创建 {done}/{pages} 个页面（{time.perf_counter() - started:.0f}s）\n")
    return time.perf_counter() - started
