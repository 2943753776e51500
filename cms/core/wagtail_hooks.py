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
