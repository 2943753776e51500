"""The content API and its static JSON: fields, filters, the public-only rule, tokens, and the schema."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import APIToken, GroupPagePermission, PageViewRestriction

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.publishing.build import build_site

from ..conftest import REPO

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((REPO / "schemas" / "content.schema.json").read_text(encoding="utf-8"))


def get(client, url, **params):
    response = client.get(url, params, HTTP_HOST="localhost")
    return response.status_code, (response.json() if response.status_code < 500 else None)


def slugs(client, **params):
    status, data = get(client, "/api/v3/content/items/", limit=100, **params)
    assert status == 200, data
    return [item["slug"] for item in data["items"]]


def validate(instance, definition):
    jsonschema.validate(instance, {**SCHEMA, "$ref": f"#/$defs/{definition}"})


# --- fields and filters ----------------------------------------------------------------------------


def test_a_list_with_all_its_rows_and_disclosure(client):
    status, data = get(client, "/api/v3/content/lists/sample-certificates-cancelled-2024/")
    assert status == 200
    validate(data, "item")
    assert data["list_kind_label"] == "不再出具证明事项"
    assert data["disclosure"]["document_number"] == "示民发〔2024〕1号"
    row = next(r for r in data["items"] if r["name"] == "居住证明")
    assert row["number"] == 2 and row["alternative_kind"] == "other_body" and "派出所" in row["alternative"]
    assert [r["slug"] for r in data["region_path"]] == ["sample", "sample-city", "sample-district"]


def test_a_case_with_figures_practices_and_source(client):
    status, data = get(client, "/api/v3/content/cases/hefei-red-property/")
    validate(data, "item")
    assert {"label": "小区党支部", "value": 887, "unit": "个"} in data["key_figures"]
    assert data["practices"][0]["name"] == "红色物业"
    assert data["source"] == {
        "publisher": "中国城市报",
        "date": "2021-06-14",
        "edition": "第21版（城市党建）",
        "byline": "记者 郭文治 孟航",
    }
    assert data["url"] == "/cases/hefei-red-property/"


def test_notice_has_counts_and_retained_signs(client):
    status, data = get(client, "/api/v3/content/notices/sample-community-signage-2024/")
    validate(data, "item")
    assert data["counts"] == {"before": 18, "removed": 13, "after": 5}
    assert data["retained_signs"][0] == {"kind": "emblem", "text": "中国共产党党徽", "position": "办公场所正门上方"}


def test_filters_by_kind_region_with_descendants_theme_and_date(client):
    assert set(slugs(client, kind="case", region="shanxi")) == {
        "shangdang-burden-reduction",
        "yingze-jinsong-community",
    }
    assert set(slugs(client, region="anhui")) == {"hefei-red-property"}
    assert "hefei-red-property" in slugs(client, theme="物业")
    assert "laiwu-one-artery-four-links" not in slugs(client, theme="物业")
    assert slugs(client, kind="case", date_from="2021-06-01", date_to="2021-12-31") == ["hefei-red-property"]
    assert set(slugs(client, list_kind="certificates_cancelled")) == {
        "sample-certificates-cancelled-2024",
        "sample-certificates-cancelled-2022",
    }


def test_chinese_search_finds_cases_and_list_rows(client):
    assert "hefei-red-property" in slugs(client, q="红色物业")
    assert "sample-certificates-cancelled-2024" in slugs(client, q="居住证明")
    assert "ziyun-three-orders" in slugs(client, q="群众点单")
    assert set(slugs(client, q="网格")) >= {"shangdang-burden-reduction", "xinpu-red-property", "hefei-red-property"}


def test_ordering_and_pagination(client):
    status, first = get(client, "/api/v3/content/items/", kind="case", ordering="-date", limit=3)
    validate(first, "itemIndex")
    assert first["count"] == 8 and len(first["items"]) == 3
    assert first["items"][0]["slug"] == "yingze-jinsong-community"  # 2023-07-17, the newest source
    status, rest = get(client, "/api/v3/content/items/", kind="case", ordering="-date", limit=3, offset=3)
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in rest["items"]}
    assert get(client, "/api/v3/content/items/", limit=1000)[0] == 422


def test_regions_with_counts(client):
    status, data = get(client, "/api/v3/content/regions/")
    validate(data, "regionIndex")
    counts = {r["slug"]: r["item_count"] for r in data}
    assert counts["shanxi"] == 2 and counts["sample"] == 7
    assert get(client, "/api/v3/content/regions/nowhere/")[0] == 404


def test_openapi_document_and_docs_are_served(client):
    status, spec = get(client, "/api/v3/openapi.json")
    assert status == 200
    assert "/api/v3/content/items/" in spec["paths"] and "/api/v3/pages/" in spec["paths"]
    assert client.get("/api/v3/docs/", HTTP_HOST="localhost").status_code == 200


# --- only what is public ---------------------------------------------------------------------------


@pytest.fixture
def hidden_pages():
    """A never-published draft, a live page with an unpublished change, a private page."""
    index = CaseStudyIndexPage.objects.get()
    region = Region.objects.get(slug="hefei")
    draft = CaseStudyPage(
        title="秘密草稿", slug="secret-draft", region=region, summary="草稿摘要秘密", source_publisher="x", live=False
    )
    index.add_child(instance=draft)
    draft.save_revision()
    private = CaseStudyPage(
        title="内部案例", slug="private-case", region=region, summary="内部摘要秘密", source_publisher="x"
    )
    index.add_child(instance=private)
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="pw")
    live = CaseStudyPage.objects.get(slug="xinpu-red-property")
    live.title = "未发布的修改秘密"
    live.save_revision()
    return {"draft": draft, "private": private, "live": live}


def test_drafts_changes_and_private_pages_never_leave_through_any_route(client, hidden_pages):
    for slug in ("secret-draft", "private-case"):
        assert get(client, f"/api/v3/content/cases/{slug}/")[0] == 404
        assert slug not in slugs(client)
    assert get(client, "/api/v3/content/cases/xinpu-red-property/")[1]["title"] != "未发布的修改秘密"
    for params in ({"q": "秘密"}, {"q": "草稿摘要"}, {"region": "hefei"}, {"theme": "物业"}):
        status, data = get(client, "/api/v3/content/items/", **params)
        assert not any(i["slug"] in ("secret-draft", "private-case") for i in data["items"]), params
        assert "秘密" not in json.dumps(data, ensure_ascii=False)
    regions = {r["slug"]: r["item_count"] for r in get(client, "/api/v3/content/regions/")[1]}
    assert regions["hefei"] == 1
    # Wagtail's own page API: anonymous callers get live public pages only.
    assert get(client, f"/api/v3/pages/{hidden_pages['draft'].pk}/")[0] in (401, 403, 404)
    assert get(client, f"/api/v3/pages/{hidden_pages['private'].pk}/")[0] in (401, 403, 404)
    status, page = get(client, f"/api/v3/pages/{hidden_pages['live'].pk}/", version="draft")
    assert status in (401, 403, 404) or page["title"] != "未发布的修改秘密"


def test_reads_cost_one_query_and_every_change_shows_at_once(client, django_assert_num_queries):
    """The API memoises the export, keyed on the build queue that every public change touches."""
    url = "/api/v3/content/cases/hefei-red-property/"
    get(client, url)
    with django_assert_num_queries(1):
        assert get(client, "/api/v3/content/items/", q="物业")[0] == 200
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥：立即可见的新标题"
    page.save_revision().publish()
    assert get(client, url)[1]["title"] == "合肥：立即可见的新标题"
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert get(client, url)[0] == 404
    restriction.delete()
    assert get(client, url)[0] == 200
    page.unpublish()
    assert get(client, url)[0] == 404
    assert "hefei-red-property" not in slugs(client)
    region = Region.objects.get(slug="hefei")
    region.name = "合肥市（改名）"
    region.save()
    names = {r["slug"]: r["name"] for r in get(client, "/api/v3/content/regions/")[1]}
    assert names["hefei"] == "合肥市（改名）"


def test_a_load_with_builds_paused_shows_at_once(client):
    """load_content --no-build publishes without queueing a build: the API must not serve the old export."""
    from cms.publishing.models import SiteBuild
    from cms.publishing.tasks import builds_paused

    url = "/api/v3/content/cases/xinpu-red-property/"
    assert get(client, url)[0] == 200
    stamp = list(SiteBuild.objects.values_list("pk", "updated_at"))
    with builds_paused():
        page = CaseStudyPage.objects.get(slug="xinpu-red-property")
        page.title = "新蒲：暂停构建时载入的新标题"
        page.save_revision().publish()
        assert get(client, url)[1]["title"] == "新蒲：暂停构建时载入的新标题"
        page.unpublish()
        assert get(client, url)[0] == 404
    assert list(SiteBuild.objects.values_list("pk", "updated_at")) == stamp  # no build was queued


COLLECTION = "red-property-and-burden-reduction"


def test_a_collection_lists_its_public_cases_in_order_with_teaching_notes(client):
    status, collection = get(client, f"/api/v3/content/collections/{COLLECTION}/")
    assert status == 200, collection
    validate(collection, "collection")
    order = ["hefei-red-property", "xinpu-red-property", "yingze-jinsong-community", "shangdang-burden-reduction"]
    assert [e["case"]["slug"] for e in collection["entries"]] == order
    assert collection["entries"][0]["note"].startswith("先读这一篇")
    assert collection["entries"][0]["case"]["url"] == "/cases/hefei-red-property/"
    assert collection["url"] == f"/collections/{COLLECTION}/"
    [listed] = get(client, "/api/v3/content/collections/")[1]
    assert listed["slug"] == COLLECTION and listed["case_count"] == 4
    CaseStudyPage.objects.get(slug="xinpu-red-property").unpublish()  # leaves the set, not the curator's list
    entries = get(client, f"/api/v3/content/collections/{COLLECTION}/")[1]["entries"]
    assert [e["case"]["slug"] for e in entries] == [s for s in order if s != "xinpu-red-property"]
    assert get(client, "/api/v3/content/collections/no-such-set/")[0] == 404


# --- tokens --------------------------------------------------------------------------------------


def token_client(user):
    _token, plaintext = APIToken.create_token(user=user, name="测试工具")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_HOST="localhost")


def draft_payload(slug):
    return {
        "meta": {"type": "cases.CaseStudyPage", "parent_id": CaseStudyIndexPage.objects.get().pk},
        "title": "工具创建的草稿",
        "slug": slug,
        "region_id": Region.objects.get(slug="hefei").pk,
        "communities": [],
        "summary": "由编辑工具经 API 创建",
        "source_publisher": "工具",
    }


def test_a_token_acts_with_its_users_rights_and_no_more():
    User = get_user_model()
    nobody = User.objects.create_user("no-rights", password="pw")
    editor = User.objects.create_user("tool-editor", password="pw")
    group = Group.objects.create(name="案例编辑（测试）")
    GroupPagePermission.objects.create(group=group, page=CaseStudyIndexPage.objects.get(), permission_type="add")
    GroupPagePermission.objects.create(group=group, page=CaseStudyIndexPage.objects.get(), permission_type="change")
    editor.groups.add(group)

    denied = token_client(nobody).post(
        "/api/v3/pages/", json.dumps(draft_payload("denied")), content_type="application/json"
    )
    assert denied.status_code in (401, 403)
    assert not CaseStudyPage.objects.filter(slug="denied").exists()

    tool = token_client(editor)
    created = tool.post("/api/v3/pages/", json.dumps(draft_payload("by-tool")), content_type="application/json")
    assert created.status_code == 201, created.content
    page = CaseStudyPage.objects.get(slug="by-tool")
    assert not page.live  # a draft, not on the site
    publish = tool.post(f"/api/v3/pages/{page.pk}/actions/publish/", content_type="application/json")
    assert publish.status_code in (401, 403)  # the editor may not publish, so neither may the token
    page.refresh_from_db()
    assert not page.live

    token = APIToken.objects.get(user=editor)
    token.revoked_at = token.created
    token.save()
    again = tool.post("/api/v3/pages/", json.dumps(draft_payload("after-revoke")), content_type="application/json")
    assert again.status_code in (401, 403)


# --- static JSON ---------------------------------------------------------------------------------


def test_static_json_validates_and_matches_the_api(client, site_dirs):
    _src, site = site_dirs
    build_site()
    api = Path(site) / "api"
    validate(json.loads((api / "items.json").read_text(encoding="utf-8")), "itemIndex")
    validate(json.loads((api / "regions" / "index.json").read_text(encoding="utf-8")), "regionIndex")
    validate(json.loads((api / "regions" / "sample-district.json").read_text(encoding="utf-8")), "region")
    checked = 0
    for folder in ("cases", "lists", "notices"):
        validate(json.loads((api / folder / "index.json").read_text(encoding="utf-8")), "itemIndex")
        for path in sorted((api / folder).glob("*.json")):
            if path.name == "index.json":
                continue
            static = json.loads(path.read_text(encoding="utf-8"))
            validate(static, "item")
            assert get(client, f"/api/v3/content/{folder}/{path.stem}/")[1] == static
            checked += 1
    assert checked == 15
    index = json.loads((api / "collections" / "index.json").read_text(encoding="utf-8"))
    validate(index, "collectionIndex")
    assert get(client, "/api/v3/content/collections/")[1] == index
    static = json.loads((api / "collections" / f"{COLLECTION}.json").read_text(encoding="utf-8"))
    validate(static, "collection")
    assert get(client, f"/api/v3/content/collections/{COLLECTION}/")[1] == static


def read_json(site, rel):
    return json.loads((Path(site) / rel.lstrip("/")).read_text(encoding="utf-8"))


def month_pages(site, head_rel):
    """A listing's head and its month pages (each validated; their counts add up to the head's)."""
    head = read_json(site, head_rel)
    pages = {}
    for ref in head["months"]:
        page = read_json(site, ref["url"])
        validate(page, "itemIndex")
        assert "months" not in page and page["count"] == ref["count"] == len(page["items"])
        dates = [item["date"] for item in page["items"]]
        assert dates == sorted(dates, reverse=True) and all(
            d[:7] == ref["month"] or (not d and ref["month"] == "undated") for d in dates
        )
        pages[ref["month"]] = page
    assert sum(page["count"] for page in pages.values()) == head.get("count", head.get("item_count"))
    order = sorted(pages, key=lambda m: (m != "undated", m), reverse=True)  # newest first, undated last
    assert [ref["month"] for ref in head["months"]] == order
    assert head["items"] == [i for m in order for i in pages[m]["items"]][:50]
    return head, pages


def test_static_json_listings_come_in_month_pages_and_an_edit_rewrites_its_months_only(site_dirs):
    """Every listing (all items, a kind's, a region's) is a head with the newest items and one page per
    month; an edit rewrites the months it left and joined, a month no item is on any more goes."""
    site = site_dirs[1]
    build_site()
    _head, months = month_pages(site, "api/items.json")
    month_pages(site, "api/cases/index.json")
    validate(read_json(site, "api/regions/anhui.json"), "region")
    _head, anhui = month_pages(site, "api/regions/anhui.json")
    [case] = [i for page in months.values() for i in page["items"] if i["slug"] == "hefei-red-property"]
    month = case["date"][:7] or "undated"
    others = {m: (Path(site) / "api" / "items" / f"{m}.json").stat().st_mtime_ns for m in months if m != month}
    assert others, "the sample content spans several months"

    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.source_date = datetime.date(1999, 1, 5)
    page.save_revision().publish()
    build_site()
    head, after = month_pages(site, "api/items.json")
    assert [i["slug"] for i in after["1999-01"]["items"]] == ["hefei-red-property"]
    assert all(i["slug"] != "hefei-red-property" for i in after.get(month, {"items": []})["items"])
    if month not in after:  # it was the month's only item: its page went
        assert not (Path(site) / "api" / "items" / f"{month}.json").exists()
    for m, mtime in others.items():
        assert (Path(site) / "api" / "items" / f"{m}.json").stat().st_mtime_ns == mtime, m
    _head, anhui_after = month_pages(site, "api/regions/anhui.json")
    assert "1999-01" in anhui_after and "1999-01" not in anhui
    month_pages(site, "api/cases/index.json")


def test_unpublished_items_leave_the_static_json(site_dirs):
    _src, site = site_dirs
    build_site()
    assert (Path(site) / "api" / "cases" / "hefei-red-property.json").exists()
    CaseStudyPage.objects.get(slug="hefei-red-property").unpublish()
    build_site()
    assert not (Path(site) / "api" / "cases" / "hefei-red-property.json").exists()
    assert "hefei-red-property" not in (Path(site) / "api" / "items.json").read_text(encoding="utf-8")


def test_an_edit_reaches_the_item_and_region_files_and_leaves_the_others_alone(site_dirs):
    """Item and region JSON are reused while their items are unchanged: an edit must still show everywhere."""
    api = Path(site_dirs[1]) / "api"
    build_site()
    untouched = api / "regions" / "sample-district.json"
    before = untouched.read_bytes(), untouched.stat().st_mtime_ns
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥：改过的标题"
    page.save_revision().publish()
    build_site()
    for rel in ("cases/hefei-red-property.json", "regions/hefei.json", "regions/anhui.json", "items.json"):
        assert "合肥：改过的标题" in (api / rel).read_text(encoding="utf-8"), rel
    assert (untouched.read_bytes(), untouched.stat().st_mtime_ns) == before


def test_a_token_submits_a_draft_for_review_when_its_user_may():
    User = get_user_model()
    editor = User.objects.create_user("submitter", password="pw")
    group = Group.objects.create(name="提交者（测试）")
    for permission in ("add", "change"):
        GroupPagePermission.objects.create(
            group=group, page=CaseStudyIndexPage.objects.get(), permission_type=permission
        )
    editor.groups.add(group)
    tool = token_client(editor)
    created = tool.post("/api/v3/pages/", json.dumps(draft_payload("to-review")), content_type="application/json")
    page_id = created.json()["id"]
    response = tool.post(f"/api/v3/content/pages/{page_id}/submit/")
    assert response.status_code == 200, response.content
    page = CaseStudyPage.objects.get(pk=page_id)
    assert page.workflow_in_progress and not page.live
    assert tool.post(f"/api/v3/content/pages/{page_id}/submit/").status_code == 409
    outsider = token_client(User.objects.create_user("outsider", password="pw"))
    assert outsider.post(f"/api/v3/content/pages/{page_id}/submit/").status_code == 403
    assert Client(HTTP_HOST="localhost").post(f"/api/v3/content/pages/{page_id}/submit/").status_code == 401


def test_images_endpoint_lists_only_images_of_published_content(client, tmp_path):
    from PIL import Image as PILImage

    from django.core.files.images import ImageFile

    from wagtail.images import get_image_model

    from cms.publishing.serialize import image_key

    path = tmp_path / "draft-only.png"
    PILImage.new("RGB", (4, 3), "red").save(path)
    with path.open("rb") as fh:
        image = get_image_model().objects.create(title="draft-only.png", file=ImageFile(fh, name="draft-only.png"))
    draft = CaseStudyPage.objects.get(slug="laiwu-one-artery-four-links")
    draft.body = [("figure", {"image": image, "caption": "只在草稿里", "credit": "", "alt": "草稿里的图"})]
    draft.save_revision()
    assert get(client, "/api/v3/content/images/")[1] == []
    draft.get_latest_revision().publish()
    key = image_key(image)
    assert get(client, "/api/v3/content/images/")[1] == [
        {
            "path": key,
            "url": "/" + key,
            "title": "draft-only.png",
            "width": 4,
            "height": 3,
        }
    ]


def test_a_tool_cannot_store_unusable_characters():
    admin = get_user_model().objects.create_superuser("tool-admin", "t@example.invalid", "pw")
    payload = draft_payload("surrogate")
    payload["summary"] = "坏\ud800字符"
    body = json.dumps(payload)  # json escapes the lone surrogate as \\ud800
    response = token_client(admin).post("/api/v3/pages/", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "U+D800" in response.content.decode()
    assert not CaseStudyPage.objects.filter(slug="surrogate").exists()
