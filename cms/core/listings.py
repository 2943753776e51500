"""Admin listings of each kind of content, filterable by region (with its sub-regions), status, kind and date."""

import django_filters

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from .models import Region

STATUS_CHOICES = [
    ("live", _("已发布")),
    ("changed", _("已发布，有未发布的修改")),
    ("draft", _("草稿（从未发布）")),
    ("review", _("审核中")),
    ("scheduled", _("定时发布")),
]


def in_review(queryset):
    """The pages of a (specific) queryset whose review workflow is in progress."""
    return queryset.filter(_specific_workflow_states__status="in_progress").distinct()


class ItemFilterSet(PageFilterSet):
    """Filters shared by cases, lists and notices; subclasses name their region and date fields."""

    region_field = "region"
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=STATUS_CHOICES, method="filter_status", empty_label=_("全部")
    )
    place = django_filters.ModelChoiceFilter(
        label=_("地区（含下级地区）"), queryset=Region.objects.order_by("level", "name"), method="filter_place"
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        # An editor in an organisation opens the listing on their own place (they may choose another).
        if request is not None and (data is None or "place" not in data):
            from .access import home_place

            home = home_place(request.user)
            if home is not None:
                data = data.copy() if data is not None else QueryDict(mutable=True)
                data["place"] = str(home.pk)
        super().__init__(data, *args, request=request, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "live":
            return queryset.filter(live=True, has_unpublished_changes=False)
        if value == "changed":
            return queryset.filter(live=True, has_unpublished_changes=True)
        if value == "draft":
            return queryset.filter(live=False, first_published_at__isnull=True)
        if value == "review":
            return in_review(queryset)
        if value == "scheduled":
            return queryset.filter(go_live_at__isnull=False, live=False)
        return queryset

    def filter_place(self, queryset, name, value):
        return queryset.filter(**{f"{self.region_field}__in": Region.subtree_ids([value.pk])})


def filterset_for(model, region_field="region", **filters):
    """An ItemFilterSet for one page model, with its own extra filters."""
    meta = type("Meta", (), {"model": model, "fields": []})
    attrs = {"region_field": region_field, "Meta": meta, **filters}
    return type(f"{model.__name__}FilterSet", (ItemFilterSet,), attrs)


def date_range(label):
    return django_filters.DateFromToRangeFilter(label=label, widget=DateRangePickerWidget)


def viewsets():
    """One listing per kind of item, from the registry of kinds (each declares its admin filters)."""
    from .kinds import kinds

    made = []
    for kind in kinds():
        if not kind.item:
            continue
        extra = dict(kind.admin_filters())
        if kind.admin_date_field:
            extra[kind.admin_date_field] = date_range(kind.admin_date_label)
        filters = filterset_for(kind.model, region_field=kind.admin_region_field, **extra)
        viewset_class = type(
            f"{kind.model.__name__}ListingViewSet",
            (PageListingViewSet,),
            {
                "model": kind.model,
                "icon": kind.admin_icon,
                "menu_label": kind.label,
                "menu_order": 100 + kind.order // 10,
                "add_to_admin_menu": True,
                "filterset_class": filters,
            },
        )
        made.append(viewset_class(f"{kind.name}_listing"))
    return made
