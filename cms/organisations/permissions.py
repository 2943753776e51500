"""Wagtail's page permission tester, narrowed to the places of the account's organisations.

Every way the admin touches a page asks this tester (edit, delete, move, copy, publish, submit, lock, the
explorer's actions, bulk actions and choosers), so content outside an editor's part of the hierarchy is
read-only to them: they may still open the page's preview and history, read what applies from above.
"""

from wagtail.models import PagePermissionTester

from .scope import in_scope, refusal


class PlacePermissionTester(PagePermissionTester):
    def __init__(self, user, page):
        super().__init__(user, page)
        self.in_place = in_scope(user, getattr(page.specific_deferred, "region_id", None))

    def can_edit(self):
        return self.in_place and super().can_edit()

    def can_delete(self, ignore_bulk=False):
        return self.in_place and super().can_delete(ignore_bulk)

    def can_unpublish(self):
        return self.in_place and super().can_unpublish()

    def can_publish(self):
        return self.in_place and super().can_publish()

    def can_submit_for_moderation(self):
        return self.in_place and super().can_submit_for_moderation()

    def can_lock(self):
        return self.in_place and super().can_lock()

    def can_unlock(self):
        return self.in_place and super().can_unlock()

    def can_unschedule(self):
        return self.in_place and super().can_unschedule()

    def can_set_view_restrictions(self):
        return self.in_place and super().can_set_view_restrictions()

    def can_move(self):
        return self.in_place and super().can_move()

    def can_copy(self):
        return self.in_place and super().can_copy()

    def can_move_to(self, destination):
        return self.in_place and super().can_move_to(destination)

    def can_copy_to(self, destination, recursive=False):
        return self.in_place and super().can_copy_to(destination, recursive)


def place_refusal(user, region):
    """None when the account may put content at ``region``, else the Chinese refusal naming its place."""
    return None if in_scope(user, region.pk) else refusal(user, region)
