"""The hierarchy under 示例市 (from content/): 示例区 / 示例街道 / 示例社区 and, made here, a sibling of each;
accounts in organisations at those places, and case pages there."""

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.organisations.models import Membership, Organisation

L = Region.Level


@pytest.fixture
def places():
    city = Region.objects.get(slug="sample-city")
    district = Region.objects.get(slug="sample-district")
    street = Region.objects.get(slug="sample-street")
    community = Region.objects.get(slug="sample-community")
    district2 = Region.objects.create(name="邻区", slug="sample-district-2", level=L.COUNTY, parent=city)
    street2 = Region.objects.create(name="邻街道", slug="sample-street-2", level=L.TOWNSHIP, parent=district)
    community2 = Region.objects.create(name="邻社区", slug="sample-community-2", level=L.COMMUNITY, parent=street)
    return {
        "district": district,
        "district2": district2,
        "street": street,
        "street2": street2,
        "community": community,
        "community2": community2,
    }


def editor_at(region, role=Membership.Role.EDITOR, group="编辑"):
    user = get_user_model().objects.create_user(f"{role}-{region.slug}", password="pw")
    user.groups.add(Group.objects.get(name=group))
    org, _ = Organisation.objects.get_or_create(name=f"{region.name}机构", region=region)
    Membership.objects.create(organisation=org, user=user, role=role)
    return user


def case_at(region, owner=None, slug=None, title=None):
    page = CaseStudyPage(
        title=title or f"{region.name}的案例",
        slug=slug or f"case-{region.slug}",
        region=region,
        summary="摘要",
        source_publisher="x",
        live=False,
        owner=owner,  # an editor may delete a draft of their own, Wagtail says: only in their place, we add
    )
    CaseStudyIndexPage.objects.get().add_child(instance=page)
    page.save_revision()
    return page
