"""Admin: spreadsheet import and export for list pages (buttons on the page header and in listings)."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.widgets import Button

from . import views
from .models import DutyListPage


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("lists/<int:page_id>/import/", views.import_rows, name="jiceng_list_import"),
        path("lists/<int:page_id>/export.xlsx", views.export_rows, name="jiceng_list_export"),
    ]


def _buttons(page, user):
    if not isinstance(page.specific_deferred, DutyListPage) or not page.permissions_for_user(user).can_edit():
        return
    yield Button("从表格导入事项", reverse("jiceng_list_import", args=[page.pk]), icon_name="upload", priority=25)
    yield Button("导出为 Excel", reverse("jiceng_list_export", args=[page.pk]), icon_name="download", priority=26)


@hooks.register("register_page_header_buttons")
def header_buttons(page, user, view_name, next_url=None):
    yield from _buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def listing_buttons(page, user, next_url=None):
    yield from _buttons(page, user)
