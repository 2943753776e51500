"""Read API for published content (cases, lists, notices, regions), mounted on Wagtail's v3 API.

Anonymous and token holders alike see only what the public site shows: every endpoint reads from
``export_snapshot``. Writing (drafts, submitting for review) is Wagtail's own v3 ``/pages/`` API,
authorised by per-user tokens.
"""

import time
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from django.db import connection
from django.http import HttpRequest

from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import Page, PageViewRestriction

from cms.core.kinds import by_folder, kinds
from cms.publishing.content_json import ContentJson, item_date, summary
from cms.publishing.context import SiteContext
from cms.publishing.export import ExportCache, export_snapshot
from cms.publishing.models import SiteBuild
from cms.publishing.search import entry_text, normalize

router = Router(tags=["公开内容"])
CACHE = ExportCache()


class RegionOut(Schema):
    slug: str
    name: str
    level: str
    parent: str | None = None
    path: list[dict[str, Any]]
    item_count: int


class ItemPage(Schema):
    count: int = Field(..., description="符合条件的总数")
    items: list[dict[str, Any]] = Field(..., description="本页条目（摘要）")


class ItemFilters(Schema):
    kind: str | None = Field(
        None, description="类别代码，例如 case 经验案例、list 清单、notice 两标三牌公示", max_length=40
    )
    region: str | None = Field(None, description="地区网址标识；包含其全部下级地区", max_length=100)
    theme: str | None = Field(None, description="主题，例如 物业", max_length=50)
    list_kind: str | None = Field(None, description="清单类别，例如 certificates_cancelled", max_length=40)
    date_from: str | None = Field(None, description="起始日期（含），YYYY-MM-DD", pattern=r"^\d{4}-\d{2}-\d{2}$")
    date_to: str | None = Field(None, description="截止日期（含），YYYY-MM-DD", pattern=r"^\d{4}-\d{2}-\d{2}$")
    q: str | None = Field(None, description="全文检索（中文按字面匹配，多个词用空格分开）", max_length=100)
    ordering: Literal["date", "-date", "title", "-title"] = Field("-date", description="排序")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


# Even with an unchanged build queue the items are checked against the database this often (seconds), in
# case a change reached the database without asking for a build.
MAX_AGE = 60.0


class PublicContent:
    """This process's view of the public content: the export and its JSON, redone only when content may
    have changed (see ``content_stamp``), each item converted again only when its content changed."""

    def __init__(self):
        self.export = ExportCache()
        self.json_memo = {}
        self.stamp, self.checked = None, 0.0
        self.snap = self.content = self.texts = None

    def current(self):
        stamp, now = content_stamp(), time.monotonic()
        if self.stamp != stamp or now - self.checked >= MAX_AGE:
            self.snap = export_snapshot(cache=self.export)
            self.content = ContentJson(self.snap, self.json_memo)
            self.stamp, self.checked, self.texts = stamp, now, None
        return self

    def text(self, item):
        """The text search finds an item by (the site's search index reads the same extractor)."""
        if self.texts is None:
            site = SiteContext(self.snap, "/")
            self.texts = {(k.name, e["meta"]["slug"]): entry_text(site, k, e) for k, e in self.snap.items()}
        return self.texts[(item["kind"], item["slug"])]


PUBLIC = PublicContent()


def content_stamp():
    """Changes whenever public content may have, in one small query.

    Every editorial change queues a site build or joins the queued one (the build queue's newest row and
    time). Bulk loads may run with builds paused (``load_content --no-build``), so the page table's counts
    and latest publish and revision times, and the view restrictions, count as well.
    """
    quote = connection.ops.quote_name
    builds, pages = quote(SiteBuild._meta.db_table), quote(Page._meta.db_table)
    restrictions = quote(PageViewRestriction._meta.db_table)
    # Only our models' own table names go into the text, quoted.
    sql = (
        f"SELECT (SELECT MAX(id) FROM {builds}), (SELECT MAX(updated_at) FROM {builds}),"  # noqa: S608
        f" (SELECT COUNT(*) FROM {pages}), (SELECT COUNT(*) FROM {pages} WHERE live),"
        f" (SELECT MAX(last_published_at) FROM {pages}), (SELECT MAX(latest_revision_created_at) FROM {pages}),"
        f" (SELECT COUNT(*) FROM {restrictions}), (SELECT MAX(id) FROM {restrictions})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def current_snapshot():
    """The export behind the API (the anonymous-routes policy asks it what public content uses)."""
    return PUBLIC.current().snap


def apply_filters(state, filters):
    items, regions = list(state.content.items), state.content.regions  # shared between requests: never sort in place
    if filters.kind:
        names = [k.name for k in kinds() if k.item]
        if filters.kind not in names:
            raise HttpError(404, f"类别“{filters.kind}”不存在，可用：{'、'.join(names)}")
        items = [i for i in items if i["kind"] == filters.kind]
    if filters.region:
        if filters.region not in regions.nodes:
            raise HttpError(404, f"地区“{filters.region}”不存在")
        wanted = regions.descendants(filters.region)
        items = [i for i in items if i["region_path"] and i["region_path"][-1]["slug"] in wanted]
    if filters.theme:
        items = [i for i in items if filters.theme in i.get("themes", [])]
    if filters.list_kind:
        items = [i for i in items if i.get("list_kind") == filters.list_kind]
    if filters.date_from:
        items = [i for i in items if item_date(i) and item_date(i) >= filters.date_from]
    if filters.date_to:
        items = [i for i in items if item_date(i) and item_date(i) <= filters.date_to]
    if filters.q:
        terms = [normalize(term) for term in filters.q.split()]
        items = [i for i in items if all(term in state.text(i) for term in terms)]
    key, reverse = filters.ordering.lstrip("-"), filters.ordering.startswith("-")
    items.sort(key=lambda i: i["slug"])
    items.sort(key=(item_date if key == "date" else lambda i: i["title"]), reverse=reverse)
    return items


@router.get("/items/", response=ItemPage, summary="检索已发布的案例、清单和公示", auth=None)
def list_items(request: HttpRequest, filters: ItemFilters = Query(...)):  # noqa: B008 - ninja's query parameters
    items = apply_filters(PUBLIC.current(), filters)
    page = items[filters.offset : filters.offset + filters.limit]
    return {"count": len(items), "items": [summary(i) for i in page]}


@router.get("/regions/", response=list[RegionOut], summary="地区（含每个地区及其下级的条目数）", auth=None)
def list_regions(request: HttpRequest):
    content = PUBLIC.current().content
    return [content.region(slug) for slug in content.regions.nodes]


@router.get("/regions/{slug}/", response=RegionOut, summary="一个地区", auth=None)
def get_region(request: HttpRequest, slug: str):
    content = PUBLIC.current().content
    if slug not in content.regions.nodes:
        raise HttpError(404, f"地区“{slug}”不存在")
    return content.region(slug)


class ImageOut(Schema):
    path: str
    url: str
    title: str
    width: int
    height: int


@router.get("/images/", response=list[ImageOut], summary="已发布内容使用的图片", auth=None)
def list_images(request: HttpRequest):
    """Only images that published content shows: an image uploaded for a draft is not listed."""
    snap = current_snapshot()
    return [
        {"path": key, "url": "/" + key, "title": image.title, "width": image.width, "height": image.height}
        for key, image in sorted(snap.images.items())
    ]


class RedirectOut(Schema):
    from_: str = Field(..., alias="from", description="旧地址")
    to: str = Field(..., description="现在的地址")


@router.get(
    "/redirects/",
    response=list[RedirectOut],
    summary="旧地址到现地址的跳转（只含指向公开页面的）",
    auth=None,
    by_alias=True,
)
def list_redirects(request: HttpRequest):
    return current_snapshot().redirects


class Submitted(Schema):
    id: int
    status: str


@router.post(
    "/pages/{page_id}/submit/",
    response=Submitted,
    summary="提交审核（需要令牌；权限与令牌所属用户在后台的权限相同）",
    auth=BearerTokenAuth(),
)
def submit_for_review(request: HttpRequest, page_id: int):
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        raise HttpError(404, "页面不存在")
    page = page.specific
    permissions = page.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise HttpError(403, "无权提交此页面审核")
    if page.workflow_in_progress:
        raise HttpError(409, "此页面已在审核中")
    workflow = page.get_workflow()
    if workflow is None:
        raise HttpError(409, "此页面没有设置审核流程")
    if not permissions.can_submit_for_moderation():
        raise HttpError(403, "无权提交此页面审核")
    if page.latest_revision is None:
        page.save_revision(user=request.user)
    # A draft may be saved with required parts still empty (Wagtail defers them); what goes to review must
    # be complete and pass the gate, as the admin's 提交审核 requires.
    page.get_latest_revision_as_object().full_clean()
    workflow.start(page, request.user)
    return {"id": page.pk, "status": "in_moderation"}


@router.get(
    "/{section}/", response=Any, summary="一类内容的索引（全部条目；静态 JSON 的 index.json 按月分页）", auth=None
)
def get_index(request: HttpRequest, section: str):
    kind = by_folder(section)
    if kind is None:
        raise HttpError(404, "没有这一类内容")
    content = PUBLIC.current().content
    if kind.item:
        return kind.index_json([summary(i) for i in content.newest() if i["kind"] == kind.name])
    return kind.index_json(list(content.sets[kind.folder].values()))


@router.get("/{section}/{slug}/", response=dict[str, Any], summary="一个条目的全部字段", auth=None)
def get_item(request: HttpRequest, section: str, slug: str):
    found = PUBLIC.current().content.find(section, slug) if by_folder(section) else None
    if found is None:
        raise HttpError(404, "没有这个已发布的条目")
    return found
