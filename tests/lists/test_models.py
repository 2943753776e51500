"""List documents: rows checked together, disclosure dates checked against each other."""

import datetime

import pytest

from django.core.exceptions import ValidationError

from cms.lists.models import DutyListPage, ListItem, item_errors

pytestmark = pytest.mark.django_db


def test_duplicate_numbers_and_missing_alternatives_are_reported_in_chinese():
    rows = [
        ListItem(number=1, name="甲证明", alternative="去派出所"),
        ListItem(number=1, name="乙证明", alternative=""),
    ]
    errors = [str(e) for e in item_errors("certificates_cancelled", rows)]
    assert errors == [
        "序号 1 重复，请检查事项列表。",
        "不再出具的证明“乙证明”缺少“替代办理方式”：请写明居民现在去哪里办。",
    ]
    assert item_errors("duties_by_law", [ListItem(number=1, name="甲"), ListItem(number=2, name="乙")]) == []


def test_publication_cannot_precede_writing_and_expiry_cannot_precede_start():
    page = DutyListPage.objects.get(slug="sample-duties-by-law-2024")
    page.date_written, page.date_published = datetime.date(2025, 1, 1), datetime.date(2024, 1, 1)
    with pytest.raises(ValidationError, match="发布日期不能早于成文日期"):
        page.full_clean()
    page.date_published = datetime.date(2025, 1, 2)
    page.valid_from, page.valid_until = datetime.date(2025, 2, 1), datetime.date(2025, 1, 1)
    with pytest.raises(ValidationError, match="废止日期不能早于施行日期"):
        page.full_clean()


def test_superseded_list_knows_its_successor():
    old = DutyListPage.objects.get(slug="sample-certificates-cancelled-2022")
    assert [p.slug for p in old.superseded_by.all()] == ["sample-certificates-cancelled-2024"]
    row = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024").items.get(name="居住证明")
    assert row.alternative_kind == "other_body" and "派出所" in row.alternative
