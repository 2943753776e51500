"""Fill the CMS with N synthetic published pages (for benchmarks): real Wagtail pages, real child rows."""

import datetime
import sys
import time
from decimal import Decimal

from django.db import transaction
from django.test import override_settings

from wagtail.blocks.stream_block import StreamValue

from bench.synthetic import page_entries, region_tree
from cms.cases.models import CaseKeyFigure, CasePractice, CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.lists.models import DutyListIndexPage, DutyListPage, ListItem
from cms.publishing.tasks import builds_paused
from cms.signage.models import RetainedSign, SignageNoticeIndexPage, SignageNoticePage

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "site"]}}
LEVELS = {"省": 1, "市": 2, "区县": 3, "街道乡镇": 4, "社区": 5}


def create_regions(tree, parent=None, out=None):
    out = {} if out is None else out
    for node in tree:
        region = Region.objects.create(name=node["name"], slug=node["slug"], level=LEVELS[node["level"]], parent=parent)
        out[node["slug"]] = region
        create_regions(node.get("children", []), region, out)
    return out


def stream(page, blocks):
    return StreamValue(page._meta.get_field("body").stream_block, blocks, is_lazy=True)


def seed(pages, progress=sys.stdout):
    """Create the region tree and `pages` live pages (70 % cases, 20 % lists, 10 % notices)."""
    tree = region_tree()
    cases, lists, notices = page_entries(pages, tree)
    started = time.perf_counter()
    # Search-index and reference-index updates are background tasks: a benchmark seed skips them.
    with builds_paused(), override_settings(TASKS=DUMMY_TASKS), transaction.atomic():
        regions = create_regions(tree)
        case_index = CaseStudyIndexPage.objects.get()
        list_index = DutyListIndexPage.objects.get()
        notice_index = SignageNoticeIndexPage.objects.get()
        done = 0

        def report(count):
            if count % 500 == 0:
                progress.write(f"  已创建 {count}/{pages} 个页面（{time.perf_counter() - started:.0f}s）\n")
            return count

        for entry in cases:
            m = entry["meta"]
            page = CaseStudyPage(
                title=m["title"],
                slug=m["slug"],
                region=regions[m["region"]],
                summary=m["summary"],
                source_publisher=m["source"]["publisher"],
                source_date=datetime.date.fromisoformat(m["source"]["date"]),
            )
            page.body = stream(page, entry["blocks"])
            page.practices = [CasePractice(name=p["name"], description=p["description"]) for p in m["practices"]]
            page.key_figures = [
                CaseKeyFigure(
                    label=f["label"],
                    value=Decimal(f["value"]),
                    unit=f["unit"],
                    before=Decimal(f["before"]) if f.get("before") else None,
                )
                for f in m["key_figures"]
            ]
            page.communities = [regions[s] for s in m["communities"]]
            page.themes.set(m["themes"])
            case_index.add_child(instance=page)
            done = report(done + 1)
        for entry in lists:
            m = entry["meta"]
            page = DutyListPage(
                title=m["title"],
                slug=m["slug"],
                region=regions[m["region"]],
                list_kind=m["list_kind"],
                version_label=m["version_label"],
                intro=entry["text"],
                publisher="区民政局",
            )
            page.items = [
                ListItem(
                    number=i["number"],
                    category=i["category"],
                    name=i["name"],
                    alternative_kind=i["alternative_kind"],
                    alternative=i["alternative"],
                    basis=[("basis", {"text": b["text"], "version": ""}) for b in i["basis"]],
                )
                for i in m["items"]
            ]
            list_index.add_child(instance=page)
            done = report(done + 1)
        for entry in notices:
            m = entry["meta"]
            page = SignageNoticePage(
                title=m["title"],
                slug=m["slug"],
                community=regions[m["community"]],
                notice_date=datetime.date.fromisoformat(m["date"]),
                count_before=20,
                count_removed=15,
                count_after=5,
            )
            page.body = stream(page, entry["blocks"])
            page.retained_signs = [RetainedSign(kind=s["kind"], text=s["text"]) for s in m["retained_signs"]]
            notice_index.add_child(instance=page)
            done = report(done + 1)
    return time.perf_counter() - started
