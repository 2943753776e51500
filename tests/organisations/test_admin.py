"""An organisation's administrator manages the people of their organisation and of those below it, in the
admin, without being a superuser; nobody else's."""

import pytest

from django.contrib.auth import get_user_model
from django.test import Client

from cms.organisations.models import Membership, Organisation

from .conftest import editor_at

pytestmark = pytest.mark.django_db


def test_a_street_administrator_adds_and_removes_people_below_and_no_one_else(places):
    admin = editor_at(places["street"], Membership.Role.REVIEWER, "审核")
    street = Organisation.objects.get(region=places["street"])
    Membership.objects.create(organisation=street, user=admin, role=Membership.Role.ADMIN)
    community = Organisation.objects.create(name="示例社区居委会", region=places["community"])
    sibling_street_editor = editor_at(places["street2"])
    district_editor = editor_at(places["district"])
    client = Client()
    client.force_login(admin)

    listing = client.get("/admin/memberships/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert admin.username in text
    assert sibling_street_editor.username not in text and district_editor.username not in text

    # A new account for the community below, with its role; the editor group comes with it.
    form = client.get("/admin/memberships/new/")
    assert form.status_code == 200 and "示例社区居委会" in form.content.decode()
    assert "邻街道机构" not in form.content.decode() and "示例区机构" not in form.content.decode()
    response = client.post(
        "/admin/memberships/new/",
        {"organisation": community.pk, "role": "editor", "username": "shequ-xin", "password": "Xin-mima-2026"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = get_user_model().objects.get(username="shequ-xin")
    assert Membership.objects.filter(user=new, organisation=community, role="editor").exists()
    assert new.groups.filter(name="编辑").exists()

    # Not into an organisation outside their part of the hierarchy.
    sibling = Organisation.objects.get(region=places["street2"])
    refused = client.post(
        "/admin/memberships/new/",
        {"organisation": sibling.pk, "role": "editor", "username": "yuejie", "password": "Xin-mima-2026"},
    )
    assert refused.status_code == 200 and not get_user_model().objects.filter(username="yuejie").exists()
    other = Membership.objects.get(user=sibling_street_editor)
    assert client.get(f"/admin/memberships/edit/{other.pk}/").status_code in (302, 403, 404)
    assert client.post(f"/admin/memberships/delete/{other.pk}/").status_code in (302, 403, 404)
    assert Membership.objects.filter(pk=other.pk).exists()

    # And removes someone below.
    mine = Membership.objects.get(user=new)
    assert client.post(f"/admin/memberships/delete/{mine.pk}/").status_code == 302
    assert not Membership.objects.filter(pk=mine.pk).exists()


def test_an_editor_who_administers_nothing_sees_no_members():
    user = get_user_model().objects.create_user("plain", password="pw")
    client = Client()
    client.force_login(user)
    assert client.get("/admin/memberships/").status_code in (302, 403)


def test_the_dashboard_opens_on_the_editor_s_own_place(places, client):
    from django.urls import reverse

    from .conftest import case_at, editor_at

    user = editor_at(places["street"])
    for key in ("street", "community", "community2", "district2"):
        case_at(places[key]).save_revision().publish()
    waiting = case_at(places["community"], slug="waiting")
    waiting.get_workflow().start(waiting, user)
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "本机构负责的内容" in html and "示例街道机构（编辑）：负责示例街道及其下级地区" in html
    # Three of the four live cases lie at the street or below it; the other district's does not count.
    cells = html[html.index(">经验案例</a>") :].split("<td>")
    assert cells[1].startswith("3<") and cells[3].startswith("1<")  # published; in review
    # The listing's 审核中 filter finds the one in review.
    listed = client.get(reverse("case_listing:index"), {"status": "review"}).content.decode()
    assert f"/admin/pages/{waiting.pk}/edit/" in listed and "示例街道的案例" not in listed
