"""Factories of community lists and their rows for tests."""

import datetime

import factory
import wagtail_factories

from cms.core.factories import RegionFactory, SectionFactory, stable_key

from .choices import ListKind
from .models import DutyListIndexPage, DutyListPage, ListItem


class DutyListIndexPageFactory(SectionFactory):
    title = "清单"
    slug = "lists"

    class Meta:
        model = DutyListIndexPage


class ListItemFactory(factory.Factory):
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"事项{n + 1}")

    class Meta:
        model = ListItem


class DutyListPageFactory(wagtail_factories.PageFactory):
    """A published list of one kind for a place; rows through ``items=[ListItemFactory.build(...)]``."""

    title = factory.Sequence(lambda n: f"测试清单{n}")
    slug = factory.Sequence(lambda n: f"list-{n}")
    translation_key = factory.LazyAttribute(lambda o: stable_key(o.slug))
    region = factory.SubFactory(RegionFactory)
    list_kind = ListKind.DUTIES_BY_LAW
    date_published = datetime.date(2024, 3, 1)

    class Meta:
        model = DutyListPage
