"""Domain rules of the shared models."""

import pytest

from django.core.exceptions import ValidationError

from cms.core.models import Region
from cms.signage.models import SignStandard

pytestmark = pytest.mark.django_db


def test_region_ancestry_runs_from_province_down():
    jinsong = Region.objects.get(slug="yingze-jinsong")
    assert [r.name for r in jinsong.ancestry()] == ["山西省", "太原市", "迎泽区", "老军营街道", "劲松社区"]
    assert str(jinsong) == "山西省 / 太原市 / 迎泽区 / 老军营街道 / 劲松社区"


def test_region_parent_must_be_a_higher_level():
    district = Region.objects.get(slug="yingze")
    city = Region(name="错层市", slug="wrong-city", level=Region.Level.CITY, parent=district)
    with pytest.raises(ValidationError) as exc:
        city.full_clean()
    assert "上级地区的层级必须高于本地区" in str(exc.value)


def test_region_slug_is_ascii_for_stable_urls():
    region = Region(name="某社区", slug="某社区", level=Region.Level.COMMUNITY)
    with pytest.raises(ValidationError):
        region.full_clean()


def test_sign_standard_falls_back_to_the_nearest_ancestor_then_the_default():
    city = Region.objects.get(slug="taiyuan")
    community = Region.objects.get(slug="yingze-jinsong")
    default = SignStandard.for_region(community)
    assert [s.text for s in default][:2] == ["中国共产党党徽", "中国社区标识"]
    SignStandard.objects.create(region=city, kind="plaque", text="××社区新时代文明实践站", sort_order=1)
    assert [s.text for s in SignStandard.for_region(community)] == ["××社区新时代文明实践站"]
