"""The benchmark's bulk seeder writes the pages Wagtail's own add_child would, as a valid page tree."""

import datetime
import io
from decimal import Decimal

import pytest

from django.db import transaction

from wagtail.models import Page

from bench.seed import case_page, create_regions, list_page, notice_page, seed
from bench.synthetic import page_entries, region_tree
from cms.cases.models import CaseKeyFigure, CasePractice, CaseStudyIndexPage, CaseStudyPage
from cms.lists.models import DutyListIndexPage, ListItem
from cms.publishing.export import export_snapshot
from cms.signage.models import RetainedSign, SignageNoticeIndexPage

PAGES = 40


def add_child_one_by_one(pages):
    """The reference: the seeder's pages, each saved through Wagtail's add_child, relations via modelcluster."""
    tree = region_tree()
    cases, lists, notices = page_entries(pages, tree)
    regions = create_regions(tree)
    for entry in cases:
        m = entry["meta"]
        page = case_page(entry, regions)
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
        CaseStudyIndexPage.objects.get().add_child(instance=page)
    for entry in lists:
        page = list_page(entry, regions)
        page.items = [
            ListItem(
                number=i["number"],
                category=i["category"],
                name=i["name"],
                alternative_kind=i["alternative_kind"],
                alternative=i["alternative"],
                basis=[("basis", {"text": b["text"], "version": ""}) for b in i["basis"]],
            )
            for i in entry["meta"]["items"]
        ]
        DutyListIndexPage.objects.get().add_child(instance=page)
    for entry in notices:
        page = notice_page(entry, regions)
        page.retained_signs = [RetainedSign(kind=s["kind"], text=s["text"]) for s in entry["meta"]["retained_signs"]]
        SignageNoticeIndexPage.objects.get().add_child(instance=page)


def exported():
    snap = export_snapshot()
    return {(kind.folder, e["meta"]["slug"]): e for kind, e in snap.all()}


def rows_of(model):
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "page_ptr_id")]
    return sorted(model.objects.order_by("path").values_list(*fields))


@pytest.mark.django_db
def test_bulk_seed_writes_what_add_child_writes():
    with transaction.atomic():
        add_child_one_by_one(PAGES)
        reference, reference_rows = exported(), rows_of(Page)
        transaction.set_rollback(True)
    with transaction.atomic():
        seed(PAGES, progress=io.StringIO())
        bulk, bulk_rows = exported(), rows_of(Page)
        transaction.set_rollback(True)
    assert len([key for key in bulk if key[1].startswith(("case-", "list-", "notice-"))]) == PAGES
    assert bulk == reference
    # Page rows alike, but for the times of creation (add_child stamps none either) and the content type ids.
    assert bulk_rows == reference_rows


@pytest.mark.django_db
def test_bulk_seeded_pages_form_a_valid_tree_that_editors_can_work_in():
    seed(PAGES, progress=io.StringIO())
    assert all(not problems for problems in Page.find_problems())
    index = CaseStudyIndexPage.objects.get()
    assert index.numchild == index.get_children().count() >= 28
    page = CaseStudyPage.objects.get(slug="case-00005")
    assert page.specific.practices.count() == 2 and page.communities.count() == 2
    assert sorted(t.name for t in page.themes.all())
    page.title += "（已修改）"
    page.save_revision().publish()
    assert CaseStudyPage.objects.get(slug="case-00005").title.endswith("（已修改）")
    new = CaseStudyPage(
        title="在种子数据之后新建",
        slug="after-seed",
        region=page.region,
        summary="摘要",
        source_publisher="基准测试",
        source_date=datetime.date(2026, 1, 1),
    )
    index.add_child(instance=new)
    assert new.path > page.path and new.url_path == f"{index.url_path}after-seed/"
