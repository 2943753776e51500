"""Article import: newspaper texts to draft cases — headlines, bylines, sources, captions, furniture, suggestions."""

from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cms.cases.article_drafts import create_drafts
from cms.cases.article_import import parse_article, suggest_region
from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.publishing.models import SiteBuild

pytestmark = pytest.mark.django_db

ARTICLES = Path(__file__).parent / "articles"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def parse(name):
    return parse_article((ARTICLES / name).read_text(encoding="utf-8"))


def body_text(case):
    return "".join(str(b["value"]) for b in case.blocks if b["type"] != "figure")


def test_a_page_with_two_cases_yields_two_with_their_bylines():
    first, second = parse("multi_case.txt")
    assert first.headline == "山西省长治市上党区：三张清单让社区回归服务本位"
    assert first.byline == "中共长治市上党区委组织部"
    assert second.headline == "贵州省安顺市西秀区：小区议事会让居民事居民议"
    assert second.byline == "中共安顺市西秀区委组织部"
    assert [b["value"] for b in first.blocks if b["type"] == "heading"] == ["理清权责边界", "做实网格服务"]
    # The caption in the middle of the text is a placeholder with its credit, not body text.
    (figure,) = [b["value"] for b in first.blocks if b["type"] == "figure"]
    assert figure == {"caption": "社区居民在党群服务站办理业务。", "credit": "上党区委组织部供图", "image": None}
    assert "供图" not in body_text(first) and "党群服务站办理业务" not in body_text(first)
    # A caption and its credit on one line.
    (figure,) = [b["value"] for b in second.blocks if b["type"] == "figure"]
    assert figure["caption"] == "议事会成员入户走访。" and figure["credit"] == "西秀区委组织部供图"


def test_named_practices_and_key_figures_are_suggested():
    first, second = parse("multi_case.txt")
    assert "群众点单、社区派单、党员接单" in first.practices
    assert "居民提事、议事会议事、社区办事" in second.practices
    figures = {(f["value"], f["unit"], f["label"]) for f in first.figures}
    assert {(107, "个", "网格"), (85, "个", "网格党支部"), (312, "块", "清理各类挂牌")} <= figures
    assert any(f["value"] == 1200 and f["approximate"] for f in first.figures)  # 1200余件


def test_newspaper_page_furniture_is_left_out_but_read_for_the_source():
    (case,) = parse("newspaper_page.txt")
    assert case.headline == "济南市莱芜区：红色物业激活小区治理“末梢”"  # "place:" + title over two lines
    assert (case.media, str(case.date), case.edition) == ("中国城市报", "2022-05-16", "第21版（城市党建）")
    text = body_text(case)
    assert "返回目录" not in text and "第21版" not in text and "《" not in text
    assert [b["value"] for b in case.blocks if b["type"] == "heading"] == [
        "建强组织 夯实红色根基",
        "完善机制 形成治理合力",
    ]
    assert case.blocks[0]["type"] == "figure" and case.blocks[0]["value"]["credit"] == "莱芜区委组织部供图"
    assert "没有找到署名（■ 开头的作者或单位）" in case.notes


def test_a_web_page_without_byline_loses_its_related_links():
    (case,) = parse("web_page.txt")
    assert case.headline == "党员中心户架起连心桥" and str(case.date) == "2024-09-05"
    captions = [b["value"]["caption"] for b in case.blocks if b["type"] == "figure"]
    assert captions == ["社区党员中心户上门走访独居老人。", "社区志愿者为居民修理家电。"]
    text = body_text(case)
    assert "相关阅读" not in text and "新闻网" not in text and "老旧小区改造加速推进" not in text
    assert "“以前找社区要跑好几趟，现在楼下就能找到人。”一位居民说。" in case.paragraphs
    assert any("文末" in n for n in case.notes) and any("没有找到署名" in n for n in case.notes)


def test_traditional_characters():
    (case,) = parse("traditional.txt")
    assert case.headline == "太原市迎澤區勁松社區：黨建引領小區治理"
    assert case.byline == "本報記者 王明"
    (figure,) = [b["value"] for b in case.blocks if b["type"] == "figure"]
    assert figure["credit"] == "本報記者攝"
    assert "居民下單、網格派單、黨員接單" in case.practices
    assert {(8, "个"), (24, "个")} <= {(f["value"], f["unit"]) for f in case.figures}
    region, reason = suggest_region(case, list(Region.objects.all()))
    assert region.name == "劲松社区" and "标题" in reason


def test_empty_text_is_refused_in_chinese():
    with pytest.raises(ValueError, match="文章是空的"):
        parse_article("\n  \n返回目录\n")


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds/ is not present")
def test_the_five_seed_articles_yield_their_cases_and_headlines():
    expected = {
        "000": ["山西省长治市上党区：减负赋能让社区“轻装上阵”", "贵州省遵义市新蒲新区：优化物业党建联建模式"],
        "001": [
            "紫云苗族布依族自治县：党建引领“三新”服务 提升基层治理质效",
            "关岭布依族苗族自治县：“四力”并举推动基层党建提档升级",
            "安顺经济技术开发区：发挥三大优势 赋能社区“智”理",
        ],
        "002": ["支部建在小区 服务走进民心"],
        "003": ["安徽省合肥市：聚焦问题短板优化社区物业党建联建机制"],
        "004": ["莱芜区：“一脉四通”推动村改社区规范发展"],
    }
    regions = list(Region.objects.all())
    found_regions = {}
    for path in sorted(SEEDS.glob("*.txt")):
        cases = parse_article(path.read_text(encoding="utf-8"))
        assert [c.headline for c in cases] == expected[path.name[:3]], path.name
        for case in cases:
            found_regions[case.headline] = suggest_region(case, regions)[0]
            assert all("供图" not in str(b["value"]) for b in case.blocks if b["type"] != "figure")
    assert found_regions["山西省长治市上党区：减负赋能让社区“轻装上阵”"].slug == "shangdang"
    assert found_regions["支部建在小区 服务走进民心"].name == "劲松社区"  # from the body
    assert found_regions["莱芜区：“一脉四通”推动村改社区规范发展"].name == "莱芜区"


def test_the_command_makes_drafts_and_never_publishes(capsys):
    builds = SiteBuild.objects.count()
    call_command("import_article", str(ARTICLES / "multi_case.txt"), str(ARTICLES / "traditional.txt"))
    out = capsys.readouterr().out
    assert "multi_case.txt：找到 2 个案例" in out and "已创建 3 篇案例草稿（未发布）" in out
    drafts = CaseStudyPage.objects.filter(summary__startswith="【待改写】")
    assert drafts.count() == 3 and not any(p.live for p in drafts)
    page = drafts.get(title="山西省长治市上党区：三张清单让社区回归服务本位")
    # A short address in pinyin, cut between syllables (not the encoded headline)
    assert page.slug == "shan-xi-sheng-chang-zhi-shi-shang-dang-qu-san-zhang-qing-dan"
    assert page.region.slug == "shangdang" and page.source_publisher == "中共长治市上党区委组织部"
    assert [p.name for p in page.practices.all()] == ["群众点单、社区派单、党员接单"]
    assert page.summary.startswith("【待改写】")
    assert [b.block_type for b in page.body] == [
        "paragraph",
        "heading",
        "paragraph",
        "figure",
        "paragraph",
        "heading",
        "paragraph",
    ]
    assert SiteBuild.objects.count() == builds  # drafts do not touch the site


def test_a_case_without_a_place_is_a_draft_marked_to_choose_one_and_cannot_be_published(capsys):
    before = CaseStudyPage.objects.count()
    call_command("import_article", str(ARTICLES / "no_place.txt"))
    assert "已标上“【待选地区】”：楼道里的议事会" in capsys.readouterr().out
    page = CaseStudyPage.objects.get(title="楼道里的议事会")
    assert CaseStudyPage.objects.count() == before + 1 and not page.live
    assert page.summary.startswith("【待选地区】【待改写】") and page.source_byline == "本报记者 周宁"
    with pytest.raises(ValidationError, match="请选择“所属地区”"):
        page.save_revision().publish()
    assert not CaseStudyPage.objects.get(pk=page.pk).live
    # A place given for the run puts it there, unmarked.
    call_command("import_article", str(ARTICLES / "no_place.txt"), "--region", "hefei")
    latest = CaseStudyPage.objects.filter(title="楼道里的议事会").order_by("-pk").first()
    assert latest.region.slug == "hefei" and latest.summary.startswith("【待改写】")


def test_the_editor_cannot_publish_an_imported_summary_until_it_is_rewritten(client):
    client.force_login(get_user_model().objects.create_superuser("rewriter", "r@example.invalid", "pw"))
    call_command("import_article", str(ARTICLES / "multi_case.txt"))
    page = CaseStudyPage.objects.get(title="山西省长治市上党区：三张清单让社区回归服务本位")
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    def form(summary):
        return nested_form_data(
            {
                "title": page.title,
                "slug": page.slug,
                "region": page.region_id,
                "summary": summary,
                "source_publisher": page.source_publisher,
                "body": streamfield([("paragraph", rich_text("<p>社区把证明事项减到十一项。</p>"))]),
                "practices": inline_formset([]),
                "key_figures": inline_formset([]),
                "policy_documents": inline_formset([]),
                "action-publish": "1",
            }
        )

    html = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), form(page.summary)).content.decode()
    assert "摘要还是导入时摘的原文" in html
    assert not CaseStudyPage.objects.get(pk=page.pk).live
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), form("上党区用三张清单为社区减负。"))
    assert response.status_code == 302 and CaseStudyPage.objects.get(pk=page.pk).live


def test_a_research_report_with_its_authors_first_abstract_keywords_and_numbered_headings():
    (case,) = parse("research_report.txt")
    assert case.headline == "清单管理如何为社区减负——基于长治市上党区的调查"
    assert case.byline == "刘晓文 陈思远（山西大学政治与公共管理学院）"
    # The abstract, broken over two lines in the middle of a sentence, is one text; it is not body text.
    assert case.abstract.startswith("社区承担的事务长期多而杂。") and "梳理三张清单的制定与执行过程" in case.abstract
    assert case.keywords == ["三张清单", "社区减负", "上党区", "党建引领"]
    assert [b["value"] for b in case.blocks if b["type"] == "heading"] == [
        "一、问题的提出",
        "二、清单的制定",
        "（一）依法梳理事项",
        "（二）取消多余的证明",
        "三、成效与不足",
    ]
    paragraphs = case.paragraphs
    assert len(paragraphs) == 4 and "真正用于走访居民的时间不足三成" in paragraphs[0]
    assert "全区共取消证明事项23项" in paragraphs[2] and "动态调整还不够及时" in paragraphs[3]
    assert all(p.endswith("。") for p in paragraphs)  # no paragraph ends where a line was broken
    assert {(f["value"], f["unit"]) for f in case.figures} >= {(32, "项"), (45, "项"), (11, "项"), (23, "项")}
    # A draft from it: the abstract is the summary to rewrite, the region the tree's 上党区.
    (page,) = create_drafts([case])
    assert page.region.slug == "shangdang" and page.summary == "【待改写】" + case.abstract
    assert page.source_byline == case.byline


def test_a_place_the_tree_lacks_is_found_in_the_gazetteer_and_added_on_confirmation(capsys):
    assert not Region.objects.filter(name="海曙区").exists()
    call_command("import_article", str(ARTICLES / "new_place.txt"), "--dry-run")
    out = capsys.readouterr().out
    assert "待新建 浙江省 › 宁波市 › 海曙区" in out and not Region.objects.filter(name="海曙区").exists()
    call_command("import_article", str(ARTICLES / "new_place.txt"), "--create-places")
    page = CaseStudyPage.objects.get(title="浙江省宁波市海曙区：“网格连心”让老小区有人管")
    chain = page.region.ancestry()
    assert [(r.name, r.level, r.code) for r in chain] == [
        ("浙江省", 1, "330000"),
        ("宁波市", 2, "330200"),
        ("海曙区", 3, "330203"),
    ]
    assert all(r.slug.isascii() for r in chain) and page.summary.startswith("【待改写】")
    # Key figures are the number and what it counts: no trailing zeros, no piece of the next phrase.
    figures = {(format(f.value.normalize(), "f"), f.unit, f.label) for f in page.key_figures.all()}
    assert figures == {("216", "个", "划分网格"), ("58", "支", "组建党员志愿服务队"), ("1300", "件", "居民办实事")}
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("figures", "f@example.invalid", "pw"))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'value="1300"' in html and "1300.00" not in html
    # Imported twice: the second run warns that the article is already there.
    call_command("import_article", str(ARTICLES / "new_place.txt"))
    assert "已经导入过（草稿" in capsys.readouterr().err
    assert Region.objects.filter(name="海曙区").count() == 1  # found in the tree now, not made again


def test_a_city_outside_the_tree_is_placed_at_the_part_the_tree_has_without_confirmation():
    (case,) = parse_article("贵州省安顺市西秀区：院坝会开到家门口\n■本报记者 李欣\n  社区每月开一次院坝会。\n")
    case.region, case.region_reason = suggest_region(case, list(Region.objects.all()))
    assert case.region is None and [p["name"] for p in case.new_places] == ["西秀区"]
    assert "不新建则放在“安顺市”" in case.region_reason
    (page,) = create_drafts([case])
    assert page.region.name == "安顺市" and not Region.objects.filter(name="西秀区").exists()


def test_a_traditional_article_is_read_in_simplified_and_turned_simplified_on_request():
    (case,) = parse("traditional.txt")
    assert case.traditional and any("繁体" in note for note in case.notes)
    assert {f["label"] for f in case.figures} >= {"网格", "微网格"}  # analysed in simplified characters
    (page,) = create_drafts(parse("traditional.txt"), simplify=True)
    assert page.title == "太原市迎泽区劲松社区：党建引领小区治理"
    assert "劲松社区把党支部建在小区" in str(page.body[0].value)
    first = page.revisions.order_by("created_at", "pk").first().as_object()
    assert first.title == "太原市迎澤區勁松社區：黨建引領小區治理"  # the text as written stays in the history
    (kept,) = create_drafts(parse("traditional.txt"))
    assert kept.title == "太原市迎澤區勁松社區：黨建引領小區治理"


def test_the_admin_importer_previews_then_creates_drafts(client):
    client.force_login(get_user_model().objects.create_superuser("importer", "i@example.invalid", "pw"))
    url = reverse("jiceng_import_article")
    html = client.post(url, {"text": (ARTICLES / "newspaper_page.txt").read_text(encoding="utf-8")}).content.decode()
    assert "找到 1 个案例" in html and "济南市莱芜区：红色物业激活小区治理“末梢”" in html
    assert "建议的特色做法（请确认）" in html and "莱芜区" in html
    assert not CaseStudyPage.objects.filter(summary__startswith="【待改写】").exists()  # nothing until confirmed
    import re

    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    response = client.post(url, {"payload": payload, "confirm": "1"})
    assert response.status_code == 302
    (page,) = CaseStudyPage.objects.filter(summary__startswith="【待改写】")
    assert (
        not page.live and page.source_date.isoformat() == "2022-05-16" and page.source_edition == "第21版（城市党建）"
    )


def test_an_everyday_word_that_is_also_a_county_is_not_taken_for_a_place():
    (case,) = parse("web_page.txt")  # “老城区” here is the old part of a town, not 洛阳's 老城区
    region, _reason = suggest_region(case, list(Region.objects.all()))
    assert region is None and case.new_places == []


def test_the_admin_importer_adds_missing_places_only_when_the_editor_confirms(client):
    import re

    client.force_login(get_user_model().objects.create_superuser("places", "pl@example.invalid", "pw"))
    url = reverse("jiceng_import_article")
    text = (ARTICLES / "new_place.txt").read_text(encoding="utf-8")
    html = client.post(url, {"text": text}).content.decode()
    assert "在地区树中新建：浙江省 › 宁波市 › 海曙区" in html and 'name="make_places"' in html
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert client.post(url, {"payload": payload, "confirm": "1"}).status_code == 302  # box left unticked
    assert not Region.objects.filter(name="海曙区").exists()
    unplaced = CaseStudyPage.objects.get(title__startswith="浙江省宁波市海曙区")
    assert unplaced.summary.startswith("【待选地区】")  # nothing of its chain is in the tree
    html = client.post(url, {"text": text}).content.decode()
    assert "已经导入过（草稿" in html  # the second import warns
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert client.post(url, {"payload": payload, "confirm": "1", "make_places": "1"}).status_code == 302
    placed = CaseStudyPage.objects.filter(title__startswith="浙江省宁波市海曙区").order_by("-pk").first()
    assert [r.name for r in placed.region.ancestry()] == ["浙江省", "宁波市", "海曙区"]
