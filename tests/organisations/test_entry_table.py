"""Every way content enters × every action × three levels × two sibling organisations: one table.

An account in an organisation at each of the six places (示例区 and its sibling 邻区, 示例街道 and 邻街道,
示例社区 and 邻社区) tries each action on content at each of the six places, through each way in: the admin's
forms, explorer, search, listings, bulk actions and move chooser; a v3 API token; the article importer; the
spreadsheet importer. Each attempt is a real request (or the importer's own entry point) and is judged by
its effect on the database, not by the status code alone. An action that takes effect where the table says
it must not — a sibling, a place above, a lower level's reviewer — fails the test.
"""

import json

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from wagtail.models import Page, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.lists.factories import DutyListPageFactory
from cms.lists.models import DutyListIndexPage, DutyListPage
from cms.organisations.models import Membership, Organisation

from .conftest import case_at, editor_at
from .test_entry_paths import payload, token_client

# About two minutes of admin requests: run in the second lane of `make test`, beside the SQLite suite.
pytestmark = [pytest.mark.django_db, pytest.mark.second_lane]
EDITOR, REVIEWER = (Membership.Role.EDITOR, "编辑"), (Membership.Role.REVIEWER, "审核")
PLACES = ("district", "district2", "street", "street2", "community", "community2")

# Where an account may create, edit, submit, move, delete: its own place and every place below it.
SCOPE = {
    "district": {"district", "street", "street2", "community", "community2"},
    "district2": {"district2"},
    "street": {"street", "community", "community2"},
    "street2": {"street2"},
    "community": {"community"},
    "community2": {"community2"},
}
# Whose reviewers take the first step of an item's review: the organisation above its place (a district
# reviews its own). 示例社区 and 邻社区 both lie under 示例街道; nothing lies under 邻街道.
FIRST_REVIEW = {
    "district": {"district", "street", "street2"},
    "district2": {"district2"},
    "street": {"community", "community2"},
    "street2": set(),
    "community": set(),
    "community2": set(),
}


@pytest.fixture
def world(places):
    orgs = {}
    for key in PLACES:
        review = Organisation.Review.FINAL if key.startswith("district") else Organisation.Review.RELAY
        orgs[key] = Organisation.objects.create(name=f"{places[key].name}机构", region=places[key], review=review)
    return places


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def case_form(page, **changes):
    fields = {
        "title": page.title,
        "slug": page.slug,
        "region": str(page.region_id),
        "summary": page.summary,
        "source_publisher": page.source_publisher,
        "practices": inline_formset([]),
        "key_figures": inline_formset([]),
        "policy_documents": inline_formset([]),
        "body": streamfield([]),
        "comments": inline_formset([]),
    }
    fields.update(changes)
    return nested_form_data(fields)


def latest(page):
    return CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()


def gone(page):
    return not Page.objects.filter(pk=page.pk).exists()


def in_review(page):
    page = CaseStudyPage.objects.get(pk=page.pk)
    page.get_workflow().start(page, page.owner)
    page.refresh_from_db()
    return page


# --- each attempt: (actor, places, target place) -> did it take effect? ---------------------------------------


def admin_create(user, places, target):
    index = CaseStudyIndexPage.objects.get()
    page = CaseStudyPage(title="新建", slug="x", region=places[target], summary="s", source_publisher="x")
    data = case_form(page, slug=f"new-{target}")
    logged_in(user).post(f"/admin/pages/add/cases/casestudypage/{index.pk}/", data)
    return CaseStudyPage.objects.filter(slug=f"new-{target}").exists()


def admin_edit(user, places, target):
    page = case_at(places[target])
    logged_in(user).post(f"/admin/pages/{page.pk}/edit/", case_form(page, summary="改过"))
    return latest(page).summary == "改过"


def admin_submit(user, places, target):
    page = case_at(places[target], owner=user)
    logged_in(user).post(f"/admin/pages/{page.pk}/edit/", {**case_form(page), "action-submit": "1"})
    return CaseStudyPage.objects.get(pk=page.pk).workflow_in_progress


def admin_approve(user, places, target):
    page = in_review(case_at(places[target]))
    state = page.current_workflow_state.current_task_state
    logged_in(user).post(f"/admin/pages/workflow/action/{page.pk}/approve/{state.pk}/", {"comment": ""})
    return TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_APPROVED


def admin_move(user, page, region):
    logged_in(user).post(f"/admin/pages/{page.pk}/edit/", case_form(page, region=str(region.pk)))


def api_move(user, page, region):
    body = {"meta": {"type": "cases.CaseStudyPage"}, "region_id": region.pk}
    token_client(user).patch(f"/api/v3/pages/{page.pk}/", json.dumps(body), "application/json")


def moving_away(send):
    """Move an item from the target place to the actor's own place (its region is its place), by ``send``."""

    def attempt(user, places, target):
        page, own = case_at(places[target]), places[user_place(user, places)]
        send(user, page, own)
        return latest(page).region_id == own.pk

    return attempt


def moving_into(send):
    """Move the actor's own item to the target place, by ``send``."""

    def attempt(user, places, target):
        page = case_at(places[user_place(user, places)], slug=f"own-for-{target}")
        send(user, page, places[target])
        return latest(page).region_id == places[target].pk

    return attempt


def admin_delete(user, places, target):
    page = case_at(places[target], owner=user)
    logged_in(user).post(f"/admin/pages/{page.pk}/delete/")
    return gone(page)


def chooser_move(user, places, target):
    """Wagtail's move view and its destination chooser (the page tree's own move)."""
    page = case_at(places[target])
    response = logged_in(user).get(f"/admin/pages/{page.pk}/move/")
    return response.status_code == 200


def chooser_copy(user, places, target):
    page = case_at(places[target])
    index = CaseStudyIndexPage.objects.get()
    logged_in(user).post(
        f"/admin/pages/{page.pk}/copy/",
        {"new_title": "副本", "new_slug": f"copy-{target}", "new_parent_page": str(index.pk)},
    )
    return CaseStudyPage.objects.filter(slug=f"copy-{target}").exists()


# The read views list content at every place (read-only from below), and offer editing only in scope: one
# request shows the six pages at once.


def pages_everywhere(places):
    return {target: case_at(places[target], slug=f"seen-{target}", title=f"seen {target}") for target in PLACES}


def editable_in(html, pages):
    for page in pages.values():
        assert page.title in html  # listed even where read-only: it applies to them from above
    return {target: f"/admin/pages/{page.pk}/edit/" in html for target, page in pages.items()}


def explorer_edit(user, places):
    pages = pages_everywhere(places)
    html = logged_in(user).get(f"/admin/pages/{CaseStudyIndexPage.objects.get().pk}/").content.decode()
    return editable_in(html, pages)


def search_edit(user, places):
    pages = pages_everywhere(places)
    html = logged_in(user).get("/admin/pages/search/", {"q": "seen"}).content.decode()
    return editable_in(html, pages)


def listing_edit(user, places):
    from django.urls import reverse

    pages = pages_everywhere(places)
    city = places["district"].parent
    html = logged_in(user).get(reverse("case_listing:index"), {"place": city.pk}).content.decode()
    return editable_in(html, pages)


def bulk_delete(user, places, target):
    page = case_at(places[target], owner=user)
    logged_in(user).post(f"/admin/bulk/wagtailcore/page/delete/?id={page.pk}")
    return gone(page)


def bulk_publish(user, places, target):
    page = case_at(places[target])
    logged_in(user).post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}")
    return CaseStudyPage.objects.get(pk=page.pk).live


def api_create(user, places, target):
    token_client(user).post("/api/v3/pages/", json.dumps(payload(f"api-{target}", places[target])), "application/json")
    return CaseStudyPage.objects.filter(slug=f"api-{target}").exists()


def api_edit(user, places, target):
    page = case_at(places[target])
    body = {"meta": {"type": "cases.CaseStudyPage"}, "summary": "工具改过"}
    token_client(user).patch(f"/api/v3/pages/{page.pk}/", json.dumps(body), "application/json")
    return latest(page).summary == "工具改过"


def api_delete(user, places, target):
    page = case_at(places[target], owner=user)
    token_client(user).delete(f"/api/v3/pages/{page.pk}/")
    return gone(page)


def api_publish(user, places, target):
    page = case_at(places[target])
    token_client(user).post(f"/api/v3/pages/{page.pk}/actions/publish/", content_type="application/json")
    return CaseStudyPage.objects.get(pk=page.pk).live


def article_import(user, places, target):
    """The importer's two steps in the admin: preview with the place chosen, then confirm."""
    client = logged_in(user)
    text = "议事会开到楼栋里\n\n本报讯 居民有事好商量，议事会每月开一次，解决了停车和加装电梯等问题。\n"
    preview = client.post("/admin/cases/import-article/", {"text": text, "region": places[target].pk})
    before = CaseStudyPage.objects.count()
    if preview.status_code != 200 or "payload" not in (preview.context or {}):
        return False
    client.post("/admin/cases/import-article/", {"confirm": "1", "payload": preview.context["payload"]})
    return CaseStudyPage.objects.count() == before + 1


def spreadsheet_import(user, places, target):
    page = DutyListPageFactory(parent=DutyListIndexPage.objects.get(), region=places[target], slug=f"l-{target}")
    page.save_revision()
    client = logged_in(user)
    upload = SimpleUploadedFile("rows.csv", "序号,事项名称\n1,表格导入的事项\n".encode(), "text/csv")
    preview = client.post(f"/admin/lists/{page.pk}/import/", {"file": upload})
    if preview.status_code != 200 or "payload" not in (preview.context or {}):
        return False
    client.post(f"/admin/lists/{page.pk}/import/", {"confirm": "1", "payload": preview.context["payload"]})
    draft = DutyListPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    return [item.name for item in draft.items.all()] == ["表格导入的事项"]


def user_place(user, places):
    region_id = Membership.objects.filter(user=user).values_list("organisation__region_id", flat=True).first()
    return next(key for key in PLACES if places[key].pk == region_id)


# (way in, action, role, attempt, who may) — one row per way each action can be taken.
TABLE = [
    ("admin form", "create", EDITOR, admin_create, SCOPE),
    ("admin form", "edit", EDITOR, admin_edit, SCOPE),
    ("admin form", "submit", EDITOR, admin_submit, SCOPE),
    ("admin form", "approve", REVIEWER, admin_approve, FIRST_REVIEW),
    ("admin form", "move away", EDITOR, moving_away(admin_move), SCOPE),
    ("admin form", "move into", EDITOR, moving_into(admin_move), SCOPE),
    ("admin form", "delete", EDITOR, admin_delete, SCOPE),
    ("move chooser", "move", EDITOR, chooser_move, SCOPE),
    ("copy", "create", EDITOR, chooser_copy, SCOPE),
    ("explorer", "edit", EDITOR, explorer_edit, SCOPE),
    ("search", "edit", EDITOR, search_edit, SCOPE),
    ("listings", "edit", EDITOR, listing_edit, SCOPE),
    ("bulk action", "delete", EDITOR, bulk_delete, SCOPE),
    ("bulk action", "approve", REVIEWER, bulk_publish, SCOPE),
    ("API token", "create", EDITOR, api_create, SCOPE),
    ("API token", "edit", EDITOR, api_edit, SCOPE),
    ("API token", "move away", EDITOR, moving_away(api_move), SCOPE),
    ("API token", "move into", EDITOR, moving_into(api_move), SCOPE),
    ("API token", "delete", EDITOR, api_delete, SCOPE),
    ("API token", "approve", REVIEWER, api_publish, SCOPE),
    ("article import", "create", EDITOR, article_import, SCOPE),
    ("spreadsheet import", "edit", EDITOR, spreadsheet_import, SCOPE),
]


AT_ONCE = (explorer_edit, search_edit, listing_edit)


@pytest.mark.parametrize("actor", PLACES)
def test_every_way_in_every_action_every_place(world, actor):
    """One account of each role at ``actor``'s organisation tries every row on content at every place; each
    attempt runs in a savepoint rolled back afterwards, so the next one starts from the same content."""
    users = {EDITOR: editor_at(world[actor], *EDITOR), REVIEWER: editor_at(world[actor], *REVIEWER)}
    wrong = []
    for way, action, role, attempt, allowed in TABLE:
        if attempt in AT_ONCE:
            with transaction.atomic():
                outcome = attempt(users[role], world)
                transaction.set_rollback(True)
        else:
            outcome = {}
            for target in PLACES:
                with transaction.atomic():
                    outcome[target] = bool(attempt(users[role], world, target))
                    transaction.set_rollback(True)
        for target, took in outcome.items():
            if took != (target in allowed[actor]):
                wrong.append(f"{way}/{action}: {actor} → {target} {'let through' if took else 'refused'}")
    assert wrong == []
