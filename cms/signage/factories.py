"""Factories of 两标三牌 notices for tests."""

import datetime

import factory
import wagtail_factories

from cms.core.factories import RegionFactory, SectionFactory, stable_key

from .models import RetainedSign, SignageNoticeIndexPage, SignageNoticePage


class SignageNoticeIndexPageFactory(SectionFactory):
    title = "两标三牌公示"
    slug = "notices"

    class Meta:
        model = SignageNoticeIndexPage


class RetainedSignFactory(factory.Factory):
    kind = "plaque"
    text = factory.Sequence(lambda n: f"测试牌子{n}")

    class Meta:
        model = RetainedSign


class SignageNoticePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"测试公示{n}")
    slug = factory.Sequence(lambda n: f"notice-{n}")
    translation_key = factory.LazyAttribute(lambda o: stable_key(o.slug))
    community = factory.SubFactory(RegionFactory)
    notice_date = datetime.date(2024, 5, 20)
    retained_signs = factory.LazyFunction(list)

    class Meta:
        model = SignageNoticePage
