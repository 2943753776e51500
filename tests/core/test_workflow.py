"""Review before publishing: 编辑 writes and submits, 审核 approves, and approval is what publishes."""

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from wagtail.models import Page, Workflow

from cms.cases.models import CaseStudyPage
from cms.publishing.models import SiteBuild

from ..conftest import make_case

pytestmark = pytest.mark.django_db


def member(username, group):
    user = get_user_model().objects.create_user(username, f"{username}@example.invalid", "pw")
    user.groups.add(Group.objects.get(name=group))
    return user


def draft_case(editor):
    page = make_case("awaiting-review", "待审核的案例", publish=False)
    page.save_revision(user=editor)
    return page


def test_the_migration_sets_up_groups_and_the_default_workflow():
    root = Page.objects.get(depth=1)
    workflow = Workflow.objects.get(name="编辑提交、审核发布")
    assert root.get_workflow() == workflow and workflow.active
    (task,) = [t.specific for t in workflow.tasks]
    assert [g.name for g in task.groups.all()] == ["审核"]
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    assert page.get_workflow() == workflow  # every page below the root


def test_an_editor_writes_and_submits_but_cannot_publish(django_capture_on_commit_callbacks):
    editor, reviewer = member("bianji", "编辑"), member("shenhe", "审核")
    page = draft_case(editor)
    assert page.permissions_for_user(editor).can_edit()
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(reviewer).can_publish()
    builds = SiteBuild.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        page.get_workflow().start(page, editor)
    page.refresh_from_db()
    assert page.workflow_in_progress and not page.live
    assert SiteBuild.objects.count() == builds  # submitting is not publishing: the site does not change

    # Publishing is the reviewer's: the editor's publish action is not offered in the admin.
    client = Client()
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'name="action-publish"' not in html


def test_a_reviewer_sees_it_waiting_and_approving_publishes_it(django_capture_on_commit_callbacks):
    editor, reviewer = member("bianji", "编辑"), member("shenhe", "审核")
    page = draft_case(editor)
    page.get_workflow().start(page, editor)
    client = Client()
    client.force_login(reviewer)
    assert "待审核的案例" in client.get(reverse("wagtailadmin_home")).content.decode()  # on the dashboard
    state = page.current_workflow_task_state
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk]), {"comment": ""}
        )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress
    assert any("待审核的案例" in r for b in SiteBuild.objects.all() for r in b.reason_list)  # approval = live


def test_a_reviewer_can_send_it_back(django_capture_on_commit_callbacks):
    editor, reviewer = member("bianji", "编辑"), member("shenhe", "审核")
    page = draft_case(editor)
    page.get_workflow().start(page, editor)
    state = page.current_workflow_task_state
    client = Client()
    client.force_login(reviewer)
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", state.pk]), {"comment": "请补充来源"}
    )
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.status == "needs_changes"


def test_the_editors_dashboard_shows_drafts_reviews_and_the_latest_build():
    editor = member("bianji", "编辑")
    page = draft_case(editor)
    page.get_workflow().start(page, editor)
    SiteBuild.objects.create(reasons="发布：某页")
    client = Client()
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "待审核的案例" in html  # their own page, in the workflow
    assert "公开网站" in html and "最近一次构建" in html  # is the site up to date?
    assert 'lang="zh-hans"' in html
