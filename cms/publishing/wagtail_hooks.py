"""Admin menu, URLs and dashboard panel for site builds."""

from django.template.loader import render_to_string
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import views
from .models import SiteBuild


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("site-builds/", views.build_list, name="jiceng_site_builds"),
        path("site-builds/rebuild/", views.rebuild, name="jiceng_site_builds_rebuild"),
    ]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return MenuItem("网站构建", reverse("jiceng_site_builds"), icon_name="globe", order=900)


class BuildPanel(Component):
    """Dashboard panel: is the public site up to date?"""

    order = 50

    def render_html(self, parent_context=None):
        return render_to_string("publishing/build_panel.html", {"build": SiteBuild.objects.first()})


@hooks.register("construct_homepage_panels")
def add_build_panel(request, panels):
    panels.append(BuildPanel())
