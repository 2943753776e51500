from django.template.loader import render_to_string

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.permissions import register_permission_policy

from .admin_views import MembershipPolicy
from .models import Membership
from .scope import ALL, memberships, region_scope

register_permission_policy(Membership, MembershipPolicy(Membership))


@hooks.register("register_admin_viewset")
def register_organisations():
    from .admin_views import MembershipViewSet, OrganisationViewSet

    return [OrganisationViewSet(), MembershipViewSet()]


class PlacePanel(Component):
    """Dashboard panel for an account in an organisation: its organisations and, per kind, what is published,
    changed or in review at its place and below — each linked to the listing, which opens on that place."""

    order = 40

    def __init__(self, user):
        self.user = user

    def render_html(self, parent_context=None):
        from django.urls import reverse

        from cms.core.kinds import kinds
        from cms.core.listings import in_review

        mine = list(memberships(self.user).order_by("organisation__region__level", "organisation__name"))
        scope = region_scope(self.user)
        rows = []
        for kind in kinds():
            if not kind.item:
                continue
            items = kind.model.objects.all()
            if scope is not ALL:  # a superuser in an organisation counts everything
                items = items.filter(**{f"{kind.admin_region_field}__in": scope})
            rows.append(
                {
                    "label": kind.label,
                    "url": reverse(f"{kind.name}_listing:index"),
                    "live": items.filter(live=True).count(),
                    "changed": items.filter(has_unpublished_changes=True).count(),
                    "review": in_review(items).count(),
                }
            )
        return render_to_string("organisations/place_panel.html", {"memberships": mine, "rows": rows})


@hooks.register("construct_homepage_panels")
def add_place_panel(request, panels):
    if memberships(request.user).exists():
        panels.append(PlacePanel(request.user))


@hooks.register("register_page_header_buttons")
def compare_with_live(page, user, view_name, next_url=None):
    """Review sees the change: on a page whose draft differs from what is live, the header offers Wagtail's
    comparison of the two (rows and StreamField blocks included)."""
    from django.urls import reverse

    from wagtail.admin.ui.menus.pages import PageMenuItem

    if page.live and page.has_unpublished_changes and page.permissions_for_user(user).can_view_revisions():
        url = reverse("wagtailadmin_pages:revisions_compare", args=(page.pk, "live", "latest"))
        yield PageMenuItem("与发布版本比较", url, icon_name="history", priority=66, page=page)
