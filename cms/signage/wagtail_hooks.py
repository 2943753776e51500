"""Admin registration of the configurable retained-sign standard."""

from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SignStandard


class SignStandardViewSet(SnippetViewSet):
    """标牌标准: which 两标三牌 each jurisdiction keeps by default."""

    model = SignStandard
    icon = "tag"
    menu_label = _("标牌标准")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["text", "kind", "region", "sort_order"]
    list_filter = ["kind"]


register_snippet(SignStandardViewSet)
