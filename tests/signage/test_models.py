"""两标三牌 notices: counts must add up; a new notice starts from the jurisdiction's standard set."""

import datetime

import pytest

from django.core.exceptions import ValidationError

from cms.core.models import Region
from cms.signage.models import SignageNoticeIndexPage, SignageNoticePage, SignStandard

pytestmark = pytest.mark.django_db


def test_counts_must_add_up():
    page = SignageNoticePage.objects.get(slug="sample-community-signage-2024")
    page.count_removed = 3
    with pytest.raises(ValidationError, match="清理前挂牌数减去清理数应等于现挂牌数"):
        page.full_clean()


def test_new_notice_is_prefilled_from_the_regional_standard():
    community = Region.objects.get(slug="sample-community")
    SignStandard.objects.create(region=Region.objects.get(slug="sample-district"), kind="plaque", text="××社区服务站")
    page = SignageNoticePage(
        title="新公示", slug="new-notice", community=community, notice_date=datetime.date(2025, 1, 1)
    )
    SignageNoticeIndexPage.objects.get().add_child(instance=page)
    assert [s.text for s in page.retained_signs.all()] == ["××社区服务站"]
