"""Where an account may act: the places of its organisations and every place below them.

An account in no organisation keeps the district-wide roles it had before organisations existed (its
Wagtail groups decide); a superuser acts everywhere. Content with no place (a trainer's collection) is
outside this rule.
"""

from cms.core.models import Region

ALL = None  # no limit by place


def memberships(user, roles=None):
    from .models import Membership

    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    qs = Membership.objects.filter(user=user).select_related("organisation__region")
    return qs.filter(role__in=roles) if roles else qs


def region_scope(user, roles=None):
    """The region ids the account may act on in these roles, or ALL."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return ALL
    cached = getattr(user, "_jiceng_scope", {})
    key = tuple(sorted(roles or ()))
    if key not in cached:
        mine = list(memberships(user))
        if not mine:
            cached[key] = ALL
        else:
            wanted = [m for m in mine if not roles or m.role in roles]
            cached[key] = Region.subtree_ids({m.organisation.region_id for m in wanted})
        user._jiceng_scope = cached
    return cached[key]


def place_names(user, roles=None):
    """The places of the account's organisations, as the refusal names them."""
    names = sorted({m.organisation.region.name for m in memberships(user, roles)})
    return "、".join(names) or "（无）"


def in_scope(user, region_id, roles=None):
    if region_id is None:
        return True
    scope = region_scope(user, roles)
    return scope is ALL or region_id in scope


def refusal(user, region):
    """The Chinese refusal that names the editor's place."""
    where = str(region) if region is not None else "该地区"
    return f"超出您的负责范围：您所在机构负责{place_names(user)}及其下级地区，不能编辑“{where}”的内容。"


def home_place(user):
    """The place of the account's (first) organisation: where its listings open."""
    first = memberships(user).order_by("organisation__region__level", "pk").first()
    return first.organisation.region if first is not None else None
