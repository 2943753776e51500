"""Admin registration of shared snippets."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Region


class RegionViewSet(SnippetViewSet):
    """地区 in the admin menu: a searchable, filterable list of the hierarchy."""

    model = Region
    icon = "site"
    menu_label = _("地区")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "level", "parent", "slug"]
    list_filter = ["level"]
    search_fields = ["name", "slug"]


register_snippet(RegionViewSet)


@hooks.register("register_admin_viewset")
def register_item_listings():
    from .listings import viewsets

    return viewsets()


@hooks.register("register_admin_urls")
def register_personal_data_urls():
    from django.urls import path

    from .personal_data_views import review

    return [path("personal-data/<int:page_id>/", review, name="jiceng_personal_data")]


@hooks.register("before_edit_page")
def warn_about_personal_data(request, page):
    from .personal_data_views import warn_on_edit

    return warn_on_edit(request, page)


@hooks.register("register_page_header_buttons")
def personal_data_button(page, user, view_name, next_url=None):
    """In the page's actions menu: the findings, and where a reviewer records a reason to keep one."""
    from django.urls import reverse

    from wagtail.admin.widgets import Button

    if hasattr(page.specific_class or type(page), "personal_data"):
        yield Button("个人信息检查", reverse("jiceng_personal_data", args=[page.pk]), icon_name="warning", priority=66)


@hooks.register("register_actions")
def register_gated_publish(registry):
    """Wagtail's v3 API (and anything else that looks the action up) publishes through the personal-data gate."""
    from wagtail.actions.publish_page_revision import PublishPageRevisionAction
    from wagtail.models import Page

    from .models import refuse_personal_data

    class GatedPublishPageRevisionAction(PublishPageRevisionAction):
        def check(self, skip_permission_checks=False):
            super().check(skip_permission_checks=skip_permission_checks)
            refuse_personal_data(self.revision)

    registry.register(Page, GatedPublishPageRevisionAction)
