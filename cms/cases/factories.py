"""Factories of case studies and collections for tests."""

import datetime

import factory
import wagtail_factories

from cms.core.factories import RegionFactory, SectionFactory, stable_key

from .models import (
    CaseCollectionEntry,
    CaseCollectionIndexPage,
    CaseCollectionPage,
    CaseKeyFigure,
    CasePractice,
    CaseStudyIndexPage,
    CaseStudyPage,
)


class CaseStudyIndexPageFactory(SectionFactory):
    title = "经验案例"
    slug = "cases"

    class Meta:
        model = CaseStudyIndexPage


class CasePracticeFactory(factory.Factory):
    name = factory.Sequence(lambda n: f"做法{n}")
    description = ""

    class Meta:
        model = CasePractice


class CaseKeyFigureFactory(factory.Factory):
    label = "小区党支部"
    value = 10
    unit = "个"

    class Meta:
        model = CaseKeyFigure


class CaseStudyPageFactory(wagtail_factories.PageFactory):
    """A published case in a place, with a source; rows and body through keyword arguments."""

    title = factory.Sequence(lambda n: f"测试案例{n}")
    slug = factory.Sequence(lambda n: f"case-{n}")
    translation_key = factory.LazyAttribute(lambda o: stable_key(o.slug))
    region = factory.SubFactory(RegionFactory)
    summary = factory.LazyAttribute(lambda o: f"{o.title}的做法摘要。")
    source_publisher = "测试日报"
    source_date = datetime.date(2024, 5, 1)

    class Meta:
        model = CaseStudyPage


class CaseCollectionIndexPageFactory(SectionFactory):
    title = "案例合集"
    slug = "collections"

    class Meta:
        model = CaseCollectionIndexPage


class CaseCollectionEntryFactory(factory.Factory):
    note = ""

    class Meta:
        model = CaseCollectionEntry


class CaseCollectionPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"测试合集{n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")
    translation_key = factory.LazyAttribute(lambda o: stable_key(o.slug))
    intro = "培训用的案例合集。"

    class Meta:
        model = CaseCollectionPage
