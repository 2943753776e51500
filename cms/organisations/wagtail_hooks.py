from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_views import MembershipPolicy
from .models import Membership

register_permission_policy(Membership, MembershipPolicy(Membership))


@hooks.register("register_admin_viewset")
def register_organisations():
    from .admin_views import MembershipViewSet, OrganisationViewSet

    return [OrganisationViewSet(), MembershipViewSet()]
