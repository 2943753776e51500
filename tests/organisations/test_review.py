"""Review goes up the hierarchy: a community's submission is reviewed by its street, then its district;
a district that approves everything itself takes it directly; reviewers act only inside their part."""

import datetime

import pytest

from cms.core.models import Region
from cms.organisations.models import Membership, Organisation, review_chain

from .conftest import case_at, editor_at

pytestmark = pytest.mark.django_db
REVIEWER = Membership.Role.REVIEWER


def orgs(places, street_review=Organisation.Review.RELAY):
    made = {}
    for key in places:
        review = Organisation.Review.FINAL if key.startswith("district") else Organisation.Review.RELAY
        if key.startswith("street"):
            review = street_review
        made[key] = Organisation.objects.create(name=f"{places[key].name}机构", region=places[key], review=review)
    return made


def reviewer_of(org):
    user = editor_at(org.region, REVIEWER, "审核")
    return user


def actions(page, user):
    state = page.current_workflow_state
    return [name for name, _label, _modal in state.current_task_state.task.specific.get_actions(page, user)]


def test_a_community_submission_goes_to_its_street_then_its_district(places):
    made = orgs(places)
    assert [o.region.slug for o in review_chain(places["community"])] == ["sample-street", "sample-district"]
    assert [o.region.slug for o in review_chain(places["street"])] == ["sample-district"]
    assert [o.region.slug for o in review_chain(places["district"])] == ["sample-district"]  # its own
    editor = editor_at(places["community"])
    street_reviewer, sibling_reviewer = reviewer_of(made["street"]), reviewer_of(made["street2"])
    district_reviewer, other_district = reviewer_of(made["district"]), reviewer_of(made["district2"])
    page = case_at(places["community"], owner=editor)
    workflow = page.get_workflow()
    assert workflow.name == "逐级审核（2 级）"
    workflow.start(page, editor)
    page.refresh_from_db()
    assert "approve" in actions(page, street_reviewer)
    for outsider in (sibling_reviewer, district_reviewer, other_district, editor):
        assert actions(page, outsider) == [], outsider
    state = page.current_workflow_state.current_task_state
    state.task.specific.on_action(state, street_reviewer, "approve")
    page.refresh_from_db()
    assert not page.live
    assert "approve" in actions(page, district_reviewer)
    assert actions(page, street_reviewer) == [] and actions(page, other_district) == []
    state = page.current_workflow_state.current_task_state
    state.task.specific.on_action(state, district_reviewer, "approve")
    page.refresh_from_db()
    assert page.live


def test_a_district_that_approves_everything_itself(places):
    orgs(places, street_review=Organisation.Review.SKIP)
    assert [o.region.slug for o in review_chain(places["community"])] == ["sample-district"]
    page = case_at(places["community"])
    assert page.get_workflow().name == "逐级审核（1 级）"


def test_a_place_no_organisation_answers_for_keeps_the_default_workflow():
    page = case_at(Region.objects.get(slug="hefei"))
    assert page.get_workflow().name == "编辑提交、审核发布"


def test_make_run_s_example_hierarchy_lets_a_new_user_try_the_three_roles(settings):
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    settings.DEBUG = True
    out = StringIO()
    call_command("ensure_dev_organisations", stdout=out)
    call_command("ensure_dev_organisations", stdout=StringIO())  # again: nothing doubles
    assert "shequ-bianji" in out.getvalue() and "jiedao-shenhe" in out.getvalue() and "qu-shenhe" in out.getvalue()
    assert Organisation.objects.filter(name__startswith="示例").count() == 3
    community = Region.objects.get(slug="sample-community")
    assert [o.name for o in review_chain(community)] == ["示例街道办事处", "示例区委组织部"]
    client = Client()
    response = client.post("/admin/login/", {"username": "shequ-bianji", "password": "jiceng-dev"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_approving_organisation_is_shown_to_residents(places, site_dirs):
    """A community's list, approved by its street then its district: the page, its static JSON and the API
    name the publisher, the approving organisation and the day — and no person."""
    import json
    from pathlib import Path

    from django.test import Client
    from django.utils import timezone

    from cms.lists.models import DutyListPage
    from cms.publishing.build import build_site

    made = orgs(places)
    editor = editor_at(places["community"])
    street_reviewer, district_reviewer = reviewer_of(made["street"]), reviewer_of(made["district"])
    page = DutyListPage.objects.get(slug="sample-certificates-issued-2024")
    page.region, page.publisher = places["community"], ""
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    for reviewer in (street_reviewer, district_reviewer):
        page.refresh_from_db()
        state = page.current_workflow_state.current_task_state
        state.task.specific.on_action(state, reviewer, "approve")
    page.refresh_from_db()
    assert page.live and page.approved_by == "示例区机构" and page.date_approved == timezone.localdate()
    assert page.publisher == "示例社区机构"
    build_site()
    site = Path(site_dirs[1])
    html = (site / "lists" / page.slug / "index.html").read_text(encoding="utf-8")
    assert "审核机构" in html and "示例区机构" in html and "示例社区机构" in html
    static = json.loads((site / "api" / "lists" / f"{page.slug}.json").read_text(encoding="utf-8"))
    assert static["disclosure"]["approved_by"] == "示例区机构"
    api = Client().get(f"/api/v3/content/lists/{page.slug}/").json()
    assert api["disclosure"]["approved_by"] == "示例区机构" and api["disclosure"]["date_approved"]
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "审核机构：示例区机构" in feed and ">示例社区机构</dc:creator>" in feed
    for person in (editor, street_reviewer, district_reviewer):
        for published in (html, json.dumps(static, ensure_ascii=False), feed):
            assert person.username not in published


def test_who_approved_is_recorded_by_review_only(places, client):
    """Editors cannot type 审核机构: it is read-only in the form, not writable through the API, and a new
    version does not carry the last version's approval until review approves it again."""
    from cms.cases.models import CaseStudyPage
    from cms.core.models import ApprovalFields

    made = orgs(places)
    editor = editor_at(places["community"])
    page = case_at(places["community"], owner=editor)
    page.approved_by, page.date_approved = "示例区机构", datetime.date(2026, 1, 2)
    page.save_revision().publish()
    client.force_login(editor)
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "示例区机构" in html and 'name="approved_by"' not in html and 'name="date_approved"' not in html
    writable = {f.name for f in CaseStudyPage.api_fields if f.writable}
    assert writable.isdisjoint(ApprovalFields.RECORDED) and "publisher" in writable
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "region": places["community"].pk,
            "summary": "改过的摘要",
            "source_publisher": "x",
            "publisher": "",
            "body": streamfield([]),
            "practices": inline_formset([]),
            "key_figures": inline_formset([]),
            "policy_documents": inline_formset([]),
            "approved_by": "伪造的机构",
        }
    )
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert draft.summary == "改过的摘要" and draft.approved_by == "" and draft.date_approved is None
    assert made["district"].name == "示例区机构"
