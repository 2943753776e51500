"""Review sees the change: a reviewer compares the submitted version with the live one — list rows and
StreamField blocks included — in Chinese, from the page under review."""

import re

import pytest

from django.test import Client

from cms.cases.models import CaseStudyPage
from cms.lists.models import DutyListPage
from cms.organisations.models import Membership, Organisation

from .conftest import editor_at

pytestmark = pytest.mark.django_db
ENGLISH = re.compile(r"\b(?:Compare|Changes|Added|Deleted|Title|Body|Items|Revision|Live)\b")


def text_of(html):
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


@pytest.fixture
def reviewer(places):
    Organisation.objects.create(name="示例区机构", region=places["district"], review=Organisation.Review.FINAL)
    user = editor_at(places["district"], Membership.Role.REVIEWER, "审核")
    client = Client()
    client.force_login(user)
    return client


def test_the_reviewer_sees_changed_list_rows_in_chinese(places, reviewer):
    page = DutyListPage.objects.get(slug="sample-certificates-issued-2024")
    page.region = places["district"]
    page.save_revision().publish()
    draft = page.get_latest_revision_as_object()
    first = draft.items.all()[0]
    old_name = first.name
    first.name = "改过名字的证明事项"
    draft.items = [first, *draft.items.all()[1:]]
    draft.save_revision()
    edit = reviewer.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert f"/admin/pages/{page.pk}/revisions/compare/live...latest/" in edit  # offered from the page
    html = reviewer.get(f"/admin/pages/{page.pk}/revisions/compare/live...latest/").content.decode()
    shown = text_of(html)
    assert "改过名字的证明事项" in shown and old_name in shown and "事项" in shown
    assert "deletion" in html and "addition" in html  # what went and what came, marked
    assert not ENGLISH.search(shown), ENGLISH.search(shown)


def test_the_reviewer_sees_changed_body_blocks(places, reviewer):
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.region = places["district"]
    page.save_revision().publish()
    draft = page.get_latest_revision_as_object()
    draft.body = [("paragraph", "新增的一段正文，说明议事会怎样开。")]
    draft.save_revision()
    html = reviewer.get(f"/admin/pages/{page.pk}/revisions/compare/live...latest/").content.decode()
    shown = text_of(html)
    assert "新增的一段正文" in shown and "正文" in shown
    assert not ENGLISH.search(shown), ENGLISH.search(shown)
