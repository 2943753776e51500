"""Admin: the article importer (menu item and URL)."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_urls():
    return [path("cases/import-article/", views.import_article, name="jiceng_import_article")]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MenuItem("导入文章", reverse("jiceng_import_article"), icon_name="doc-full-inverse", order=104)
