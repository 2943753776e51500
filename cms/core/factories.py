"""Factories of the shared models (regions, the home page) for tests: small trees with stable values."""

import uuid

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from wagtail.models import Page, Site

from .models import HomePage, Region

NAMESPACE = uuid.UUID("6b8f3f1e-2f7c-4d5e-9b1a-4c2d1e0f9a77")


def stable_key(slug):
    """A translation key made from a slug, so a factory-made page has the same id in every run."""
    return uuid.uuid5(NAMESPACE, str(slug))


class RegionFactory(DjangoModelFactory):
    """A place; by default a community below nothing (pass parent= for a tree)."""

    name = factory.Sequence(lambda n: f"测试社区{n}")
    slug = factory.Sequence(lambda n: f"region-{n}")
    level = Region.Level.COMMUNITY
    parent = None

    class Meta:
        model = Region
        django_get_or_create = ("slug",)


class HomePageFactory(wagtail_factories.PageFactory):
    """The home page under the root, made the default site's root."""

    title = "首页"
    slug = "home"
    intro = ""
    parent = factory.LazyFunction(Page.get_first_root_node)

    class Meta:
        model = HomePage
        skip_postgeneration_save = True

    @factory.post_generation
    def site(obj, create, extracted, **kwargs):
        if create:
            Site.objects.update_or_create(
                is_default_site=True, defaults={"hostname": "localhost", "root_page": obj, "site_name": "基层"}
            )


class SectionFactory(wagtail_factories.PageFactory):
    """A section page of some kind (pass the model through Meta in a subclass)."""

    intro = ""

    class Meta:
        abstract = True
