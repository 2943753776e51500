"""Admin listings of each kind of content, filterable by region (with its sub-regions), status, kind and date."""

import django_filters

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


def descendant_ids(region):
    """A region and every region below it."""
    children = {}
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [region.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


class ItemFilterSet(PageFilterSet):
    """Filters shared by cases, lists and notices; subclasses name their region and date fields."""

    region_field = "region"
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=STATUS_CHOICES, method="filter_status", empty_label=_("全部")
    )
    place = django_filters.ModelChoiceFilter(
        label=_("地区（含下级地区）"), queryset=Region.objects.order_by("level", "name"), method="filter_place"
    )

    def filter_status(self, queryset, name, value):
        if value == "live":
            return queryset.filter(live=True, has_unpublished_changes=False)
        if value == "changed":
            return queryset.filter(live=True, has_unpublished_changes=True)
        if value == "draft":
            return queryset.filter(live=False, first_published_at__isnull=True)
        if value == "review":
            return queryset.filter(workflow_states__status="in_progress").distinct()
        if value == "scheduled":
            return queryset.filter(go_live_at__isnull=False, live=False)
        return queryset

    def filter_place(self, queryset, name, value):
        return queryset.filter(**{f"{self.region_field}__in": descendant_ids(value)})


def filterset_for(model, region_field="region", **filters):
    """An ItemFilterSet for one page model, with its own extra filters."""
    meta = type("Meta", (), {"model": model, "fields": []})
    attrs = {"region_field": region_field, "Meta": meta, **filters}
    return type(f"{model.__name__}FilterSet", (ItemFilterSet,), attrs)


def date_range(label):
    return django_filters.DateFromToRangeFilter(label=label, widget=DateRangePickerWidget)


def viewsets():
    from cms.cases.models import CaseStudyPage
    from cms.lists.models import DutyListPage, ListKind
    from cms.signage.models import SignageNoticePage

    case_filters = filterset_for(CaseStudyPage, source_date=date_range(_("来源日期")))
    list_filters = filterset_for(
        DutyListPage,
        list_kind=django_filters.ChoiceFilter(label=_("清单类别"), choices=ListKind.choices, empty_label=_("全部")),
        date_published=date_range(_("发布日期")),
    )
    notice_filters = filterset_for(SignageNoticePage, region_field="community", notice_date=date_range(_("公示日期")))
    made = []
    for name, model, label, icon, order, filters in (
        ("case_listing", CaseStudyPage, _("经验案例"), "doc-full", 101, case_filters),
        ("list_listing", DutyListPage, _("清单"), "list-ul", 102, list_filters),
        ("notice_listing", SignageNoticePage, _("两标三牌公示"), "tag", 103, notice_filters),
    ):
        viewset_class = type(
            f"{model.__name__}ListingViewSet",
            (PageListingViewSet,),
            {
                "model": model,
                "icon": icon,
                "menu_label": label,
                "menu_order": order,
                "add_to_admin_menu": True,
                "filterset_class": filters,
            },
        )
        made.append(viewset_class(name))
    return made
