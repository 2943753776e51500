"""Editors act only inside their organisation's part of the hierarchy: three levels (district, street,
community), two sibling organisations at each, every action Wagtail's admin offers, allowed or refused.

The hierarchy under 示例市 (from content/): 示例区 / 示例街道 / 示例社区 and, made here, a sibling of each.
"""

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.organisations.models import Membership, Organisation

from .conftest import case_at, editor_at

pytestmark = pytest.mark.django_db


# Who may touch a page at which place: their own place and every place below it.
ALLOWED = {
    "district": {"district", "street", "street2", "community", "community2"},
    "street": {"street", "community", "community2"},
    "community": {"community"},
    "district2": {"district2"},
    "street2": {"street2"},
    "community2": {"community2"},
}
# What a reviewer may do where Wagtail's groups allow it at all: edit, publish, unpublish, lock. (What an
# editor may do is tried through every way in, by real requests, in test_entry_table.py.)
ACTIONS = {
    (Membership.Role.REVIEWER, "审核"): ["can_edit", "can_publish", "can_unpublish", "can_lock", "can_unlock"],
}


@pytest.mark.parametrize("role", list(ACTIONS), ids=["reviewer"])
@pytest.mark.parametrize("editor_place", list(ALLOWED))
def test_each_action_on_each_place(places, editor_place, role):
    user = editor_at(places[editor_place], *role)
    for page_place, region in places.items():
        page = case_at(region, owner=user)
        if role[0] == Membership.Role.REVIEWER:
            page.save_revision().publish()  # live, so that unpublishing means something
            page.refresh_from_db()
        tester = page.permissions_for_user(user)
        allowed = page_place in ALLOWED[editor_place]
        for action in ACTIONS[role]:
            assert getattr(tester, action)() == allowed, (editor_place, page_place, action)
        page.delete()


@pytest.mark.parametrize(("editor_place", "page_place"), [("community", "community2"), ("street", "district")])
def test_the_admin_refuses_what_lies_outside(places, editor_place, page_place):
    user = editor_at(places[editor_place])
    page = case_at(places[page_place])
    client = Client()
    client.force_login(user)
    for view in ("edit", "delete", "move", "copy"):
        response = client.get(f"/admin/pages/{page.pk}/{view}/")
        assert response.status_code in (302, 403), (view, response.status_code)
    # Read-only from below: the page stays readable in the explorer and in preview.
    assert client.get(f"/admin/pages/{page.pk}/history/").status_code in (200, 302)


def test_an_editor_creates_only_inside_their_place(places):
    user = editor_at(places["community"])
    client = Client()
    client.force_login(user)
    index = CaseStudyIndexPage.objects.get()
    url = f"/admin/pages/add/cases/casestudypage/{index.pk}/"
    form = client.get(url)
    assert form.status_code == 200
    data = nested_form_data(
        {
            "title": "越界的案例",
            "slug": "out-of-place",
            "region": str(places["community2"].pk),
            "summary": "摘要",
            "source_publisher": "x",
            "practices": inline_formset([]),
            "key_figures": inline_formset([]),
            "policy_documents": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
            "comments": inline_formset([]),
        }
    )
    response = client.post(url, data)
    body = response.content.decode()
    assert not CaseStudyPage.objects.filter(slug="out-of-place").exists()
    assert "超出您的负责范围" in body and "示例社区" in body
    data["region"] = str(places["community"].pk)  # their own place: saved as a draft
    assert client.post(url, data).status_code == 302
    assert CaseStudyPage.objects.get(slug="out-of-place").region == places["community"]


def test_an_account_in_no_organisation_keeps_its_wave_one_reach(places):
    user = get_user_model().objects.create_user("district-wide", password="pw")
    user.groups.add(Group.objects.get(name="编辑"))
    page = case_at(places["community2"])
    assert page.permissions_for_user(user).can_edit()


def test_listings_open_on_the_editor_s_own_place(places):
    from django.urls import reverse

    user = editor_at(places["street"])
    mine, theirs = case_at(places["community"]), case_at(places["district2"])
    client = Client()
    client.force_login(user)
    html = client.get(reverse("case_listing:index")).content.decode()
    assert mine.title in html and theirs.title not in html
    # They may still look elsewhere (read-only), by choosing another place.
    other = client.get(reverse("case_listing:index"), {"place": places["district2"].pk}).content.decode()
    assert theirs.title in other and f"/admin/pages/{theirs.pk}/edit/" not in other  # shown, not editable


def test_a_notice_s_place_is_its_community(places):
    """A notice carries its place in ``community``, not ``region``: scope and review follow it (they once saw
    no place at all and let any editor through)."""
    from cms.signage.models import SignageNoticePage

    notice = SignageNoticePage.objects.get(slug="sample-community-signage-2024")
    assert notice.community == places["community"]
    assert notice.permissions_for_user(editor_at(places["community"])).can_edit()
    assert not notice.permissions_for_user(editor_at(places["community2"])).can_edit()
    Organisation.objects.create(name="示例街道机构", region=places["street"])
    assert notice.get_workflow().name == "逐级审核（1 级）"
