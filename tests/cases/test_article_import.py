"""Article import: newspaper texts to draft cases — headlines, bylines, sources, captions, furniture, suggestions."""

from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

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


def test_the_command_refuses_a_case_without_a_region_and_saves_nothing(tmp_path):
    path = tmp_path / "nowhere.txt"
    path.write_text("无名小区的故事\n\n  居民们一起打扫楼道。\n", encoding="utf-8")
    before = CaseStudyPage.objects.count()
    with pytest.raises(CommandError, match="没有从标题、署名或正文中认出地区"):
        call_command("import_article", str(path))
    assert CaseStudyPage.objects.count() == before
    call_command("import_article", str(path), "--region", "hefei")
    assert CaseStudyPage.objects.count() == before + 1


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
