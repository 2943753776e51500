"""Wagtail's page permission tester, narrowed to the places of the account's organisations.

Every way the admin touches a page asks this tester (edit, delete, move, copy, publish, submit, lock, the
explorer's actions, bulk actions and choosers), so content outside an editor's part of the hierarchy is
read-only to them: they may still open the page's preview and history, read what applies from above.
"""

from wagtail.models import PagePermissionTester

from .scope import in_scope, refusal

# Everything that changes a page, its place in the tree or who may see it.
NARROWED = (
    "can_edit",
    "can_delete",
    "can_unpublish",
    "can_publish",
    "can_submit_for_moderation",
    "can_lock",
    "can_unlock",
    "can_unschedule",
    "can_set_view_restrictions",
    "can_move",
    "can_copy",
    "can_move_to",
    "can_copy_to",
)


class PlacePermissionTester(PagePermissionTester):
    def __init__(self, user, page):
        super().__init__(user, page)
        self.in_place = in_scope(user, getattr(page.specific_deferred, "place_id", None))


def _narrowed(name):
    def check(self, *args, **kwargs):
        return self.in_place and getattr(super(PlacePermissionTester, self), name)(*args, **kwargs)

    check.__name__ = check.__qualname__ = name
    return check


for _name in NARROWED:
    setattr(PlacePermissionTester, _name, _narrowed(_name))


def place_refusal(user, region):
    """None when the account may put content at ``region``, else the Chinese refusal naming its place."""
    return None if in_scope(user, region.pk) else refusal(user, region)
