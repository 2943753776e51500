"""Turn a newspaper article (plain text) into draft case studies, and say what was found and what is unsure.

An article file may hold several cases (a page of reports), each starting with a headline such as
“山西省长治市上党区：减负赋能让社区‘轻装上阵’”, often followed by a byline (■中共…委组织部). The page
furniture of a newspaper page (版次 lines, 返回目录, related-article links at the end) is left out but read
for the media name, date and edition. Photo captions (lines ending in 供图 / 摄, and caption lines next to
them) become caption placeholders, not body text. Nothing here writes to the database.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from cms.core.validation import UNUSABLE

END = "。！？!?…；;”」』)）"
HEADLINE_END = "。！？!?；;，,"  # a headline may end with a closing quote: “轻装上阵”
PLACE = r"(?:省|市|区|县|州|旗|盟|镇|乡|街道|社区|开发区|新区|自治县|自治州|區|縣|鎮|鄉|社區|開發區)"
HEADLINE_WITH_PLACE = re.compile(rf"^[^，,。；]{{2,26}}?{PLACE}\s*[：:]\s*\S")
PLACE_ONLY = re.compile(rf"^[^，,。；]{{2,26}}?{PLACE}\s*[：:]$")
EDITION = re.compile(r"^第\s*(\d+)\s*版\s*[:：]\s*(.*)$")
MEDIA_DATE = re.compile(r"^(\S{2,20}?)\s+(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s+星期.)?\s*$")
DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2})?$")
ISO_DATE = re.compile(r"^(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})日?(?:\s+\d{1,2}:\d{2})?$")
SOURCE_NOTE = re.compile(r"《\s*(.+?)\s*》\s*[（(]\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:第\s*(\d+)\s*版)?\s*[)）]")
FURNITURE = ("返回目录", "放大缩小", "全文复制", "上一篇", "下一篇", "打印本页", "关闭窗口", "字号")
CREDIT = re.compile(r"(供图|摄|攝|供圖)\s*$")
BYLINE = re.compile(r"^[■●◆□]\s*(.+)$")
FIGURE = re.compile(
    r"([\u4e00-\u9fff]{0,8}?)(\d+(?:\.\d+)?)\s*(余|多|近)?\s*"
    r"(个|家|名|支|人次|人|项|户|条|次|块|万元|亿元|元|座|处|件|栋|平方米|场|批|所|类|张|套|小时|天)"
    r"([\u4e00-\u9fff]{0,8})"
)
QUOTED = re.compile(r"[“「]([^”」]{2,30})[”」]")
# Enough of traditional Chinese to recognise furniture, places and credits; the text itself is kept as written.
TRADITIONAL = str.maketrans(
    "區縣鎮鄉圖攝記報聞網導黨團體這個們為與從來發開關時間說於會澤勁樓棟務辦單訴動織員設總計劃處書機構層級實現",
    "区县镇乡图摄记报闻网导党团体这个们为与从来发开关时间说于会泽劲楼栋务办单诉动织员设总计划处书机构层级实现",
)


@dataclass
class ArticleCase:
    headline: str
    byline: str = ""
    media: str = ""
    date: datetime.date | None = None
    edition: str = ""
    blocks: list = field(default_factory=list)  # {"type": "heading"|"paragraph"|"figure", "value": …}
    practices: list = field(default_factory=list)
    figures: list = field(default_factory=list)  # {"value", "unit", "label", "approximate"}
    region: object = None
    region_reason: str = ""
    notes: list = field(default_factory=list)  # what the importer was unsure of, in Chinese

    @property
    def paragraphs(self):
        return [b["value"] for b in self.blocks if b["type"] == "paragraph"]


@dataclass
class Line:
    text: str
    indented: bool
    number: int


def _plain(text):
    return text.translate(TRADITIONAL)


def _lines(text):
    out = []
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = raw.replace("\u00a0", " ").replace("\u3000", " ")
        text_ = stripped.strip()
        if text_:
            out.append(Line(text_, stripped[:1] == " " or raw[:1] in ("\t", "\u3000"), n))
    return out


def _is_sentence(text):
    return text[-1:] in END


def _ends_headline(text):
    return text[-1:] not in HEADLINE_END


def _is_heading(text):
    plain = _plain(text)
    return (
        len(text) <= 32
        and not _is_sentence(text)
        and "。" not in text
        and "，" not in text
        and "," not in text
        and not CREDIT.search(plain)
    )


def _date(year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


class _Meta:
    def __init__(self):
        self.media, self.date, self.edition, self.dropped = "", None, "", []

    def read(self, line):
        """True when the line is page furniture or metadata (and is not part of any case)."""
        text = line.text
        plain = _plain(text)
        if any(word in plain for word in FURNITURE):
            self.dropped.append(text)
            return True
        if match := EDITION.match(plain):
            self.edition = f"第{match[1]}版" + (f"（{match[2].strip()}）" if match[2].strip() else "")
            return True
        if match := MEDIA_DATE.match(plain):
            self.media, self.date = match[1], _date(match[2], match[3], match[4])
            return True
        if match := DOT_DATE.match(plain):
            self.date = _date(match[3], match[2], match[1])
            return True
        if match := ISO_DATE.match(plain):
            self.date = _date(match[1], match[2], match[3])
            return True
        if (match := SOURCE_NOTE.search(plain)) and len(SOURCE_NOTE.sub("", plain).strip(" ■")) == 0:
            self._source_note(match)
            return True
        return False

    def _source_note(self, match):
        self.media = match[1]
        self.date = _date(match[2], match[3], match[4]) or self.date
        if match[5] and not self.edition:
            self.edition = f"第{match[5]}版"


def _headline_starts(lines):
    """Indexes of the lines that start a case (a headline), joining 'place:' + title split over two lines."""
    starts = []
    for i, line in enumerate(lines):
        plain = _plain(line.text)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if PLACE_ONLY.match(plain) and nxt and _ends_headline(nxt.text):
            starts.append((i, 2))
        elif (
            HEADLINE_WITH_PLACE.match(plain)
            and len(line.text) <= 48
            and _ends_headline(line.text)
            or nxt
            and BYLINE.match(nxt.text)
            and len(line.text) <= 48
            and _ends_headline(line.text)
        ):
            starts.append((i, 1))
    # Drop a "headline" that is the second half of a two-line one.
    taken, result = set(), []
    for i, size in starts:
        if i not in taken:
            result.append((i, size))
            taken.update(range(i, i + size))
    return result


def parse_article(text):
    """The cases in an article, in order; raises ValueError (in Chinese) when none can be found."""
    meta = _Meta()
    removed = len(UNUSABLE.findall(text))
    text = UNUSABLE.sub("", text)  # control characters and broken encoding: never part of an article
    lines = [line for line in _lines(text) if not meta.read(line)]
    if not lines:
        raise ValueError("文章是空的，或只有版面信息")
    starts = _headline_starts(lines)
    notes = []
    if not starts:
        starts = [(0, 1)]  # a single report: its first line is the headline
        notes.append("没有找到“地区：标题”形式的标题，把第一行当作标题")
    elif starts[0][0] != 0:
        skipped = [line.text for line in lines[: starts[0][0]]]
        if any(_is_sentence(t) for t in skipped):
            notes.append(f"第一个标题之前有 {len(skipped)} 行文字未导入")
    cases = []
    for n, (start, size) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        head = lines[start : start + size]
        headline = "".join(line.text for line in head)
        headline = re.sub(r"\s*[:：]\s*", "：", headline, count=1) if size == 2 else headline
        case = ArticleCase(headline=headline, media=meta.media, date=meta.date, edition=meta.edition)
        case.notes = list(notes) if n == 0 else []
        _fill(case, lines[start + size : end], last=n + 1 == len(starts))
        cases.append(case)
    if meta.dropped:
        cases[0].notes.append(f"略去了 {len(meta.dropped)} 行版面文字（如“返回目录”）")
    if removed:
        cases[0].notes.append(f"删除了 {removed} 个控制字符或无效字符")
    return cases


def _fill(case, lines, last=True):
    body = list(lines)
    if body and (match := BYLINE.match(body[0].text)):
        byline = match[1]
        if note := SOURCE_NOTE.search(byline):
            case.media = note[1]
            case.date = _date(note[2], note[3], note[4]) or case.date
            if note[5] and not case.edition:
                case.edition = f"第{note[5]}版"
            byline = SOURCE_NOTE.sub("", byline)
        case.byline = byline.strip()
        body = body[1:]
    else:
        case.notes.append("没有找到署名（■ 开头的作者或单位）")
    # Related-article links at the end of a web page: a trailing run of short lines that are not sentences.
    trailing = 0
    while (
        last
        and trailing < len(body)
        and not _is_sentence(body[-1 - trailing].text)
        and len(body[-1 - trailing].text) <= 48
    ):
        trailing += 1
    if trailing and trailing < len(body):
        case.notes.append(
            f"略去了文末 {trailing} 行（相关文章链接或页面信息）：" + "；".join(x.text[:20] for x in body[-trailing:])
        )
        body = body[:-trailing]
    indented_body = sum(1 for line in body if line.indented) > len(body) / 2
    blocks, i, pending = [], 0, ""
    while i < len(body):
        line = body[i]
        text = line.text
        plain = _plain(text)
        if CREDIT.search(plain):
            caption, credit = _split_credit(text)
            if (
                not caption
                and blocks
                and blocks[-1]["type"] == "paragraph"
                and _looks_like_caption(blocks[-1]["value"])
            ):
                caption = blocks.pop()["value"]
            blocks.append({"type": "figure", "value": {"caption": caption, "credit": credit, "image": None}})
            i += 1
            continue
        if (
            indented_body
            and not line.indented
            and _is_sentence(text)
            and len(text) <= 80
            and (_near_figure(blocks) or (i + 1 < len(body) and CREDIT.search(_plain(body[i + 1].text))))
        ):
            blocks.append({"type": "figure", "value": {"caption": text, "credit": "", "image": None}})
            case.notes.append(f"把“{text[:16]}…”当作图片说明")
            i += 1
            continue
        if not pending and _is_heading(text):
            title = text
            # A heading split over two lines ("理顺体制机制" / "畅通党建“主动脉”").
            while i + 1 < len(body) and _is_heading(body[i + 1].text) and len(title) <= 16:
                i += 1
                title += " " + body[i].text
            blocks.append({"type": "heading", "value": title})
            i += 1
            continue
        pending += text
        if _is_sentence(text) or i + 1 == len(body) or body[i + 1].indented and indented_body:
            blocks.append({"type": "paragraph", "value": pending})
            pending = ""
        i += 1
    if pending:
        blocks.append({"type": "paragraph", "value": pending})
    case.blocks = blocks
    case.practices = suggest_practices(case)
    case.figures = suggest_figures(case)


def _split_credit(text):
    """'社区开展活动。本报通讯员摄' -> ('社区开展活动。', '本报通讯员摄'); '合肥市委组织部供图' -> ('', …)."""
    parts = re.split(r"(?<=[。！？])", text)
    if len(parts) > 1 and parts[-1].strip():
        return "".join(parts[:-1]).strip(), parts[-1].strip()
    return "", text.strip()


def _looks_like_caption(text):
    return len(text) <= 80 and _is_sentence(text)


def _near_figure(blocks):
    return bool(blocks) and blocks[-1]["type"] == "figure"


def suggest_practices(case):
    """Named practices: quoted phrases that read like a practice's name (repeated, or a chain like 甲、乙、丙)."""
    text = "\n".join([case.headline] + [b["value"] for b in case.blocks if isinstance(b["value"], str)])
    counts = Counter(m for m in QUOTED.findall(text))
    picked = []
    for phrase, count in counts.most_common():
        chain = phrase.count("、") >= 2 or phrase.count("—") >= 2
        if (count >= 2 or chain or phrase in case.headline) and phrase not in picked:
            picked.append(phrase)
    return picked[:10]


def suggest_figures(case):
    found, seen = [], set()
    for paragraph in case.paragraphs:
        for match in FIGURE.finditer(_plain(paragraph)):
            before, value, approx, unit, after = match.groups()
            label = after or before  # "107个网格" counts 网格; "清理挂牌312块" counts 挂牌
            if not label:
                continue
            key = (value, unit, label)
            if key in seen:
                continue
            seen.add(key)
            number = float(value)
            found.append(
                {
                    "value": int(number) if number.is_integer() else number,
                    "unit": unit,
                    "label": label,
                    "approximate": bool(approx),
                }
            )
    return found[:15]


def suggest_region(case, regions):
    """The deepest region named in the headline, else in the byline, else the one the body names most."""
    by_depth = sorted(regions, key=lambda r: (-r.level, -len(r.name)))
    for where, text in (("标题", case.headline), ("署名", case.byline)):
        plain = _plain(text)
        for region in by_depth:
            if region.name in plain:
                return region, f"{where}中提到“{region.name}”"
    body = _plain("".join(case.paragraphs))
    counted = [(body.count(r.name), r.level, r) for r in regions if len(r.name) >= 3 and r.name in body]
    if counted:
        count, _level, region = max(counted, key=lambda c: (c[0], c[1]))
        return region, f"正文中提到“{region.name}” {count} 次（请核对）"
    return None, ""


# --- drafts in the CMS ---------------------------------------------------------------------------


def slug_for(headline, taken):
    """Short pinyin of the headline (cms/core/slugs.py), unique among ``taken`` (which it extends)."""
    from cms.core.slugs import pinyin_slug, unique_slug

    slug = unique_slug(pinyin_slug(headline), taken.__contains__)
    taken.add(slug)
    return slug


def first_sentence(case):
    for paragraph in case.paragraphs:
        sentence = re.split(r"(?<=[。！？])", paragraph)[0]
        if sentence:
            return sentence[:300]
    return case.headline


def fit_blocks(blocks):
    """Body blocks within the limits of the page's blocks: long paragraphs split, long short texts cut."""
    limits = {"heading": 120, "paragraph": 5000}
    out = []
    for block in blocks:
        kind, value = block["type"], block["value"]
        if kind in limits:
            limit = limits[kind]
            chunks = [value[i : i + limit] for i in range(0, len(value), limit)] if kind == "paragraph" else [value]
            out += [{"type": kind, "value": chunk[:limit]} for chunk in chunks if chunk.strip()]
        elif kind == "figure":
            value = dict(value, caption=(value.get("caption") or "")[:300], credit=(value.get("credit") or "")[:100])
            out.append({"type": kind, "value": value})
        else:
            out.append(block)
    return out[:300]


def refusals(cases, user, region=None):
    """Why ``user`` may not import each case at its place (suggested, or ``region`` when none was found), in
    Chinese, naming the case, the place and where in the article the place was found; [] when all may go."""
    from cms.core.access import place_refusal

    found = []
    for case in cases:
        place = case.region or region
        problem = place_refusal(user, place) if user is not None and place is not None else None
        if problem:
            where = f"，{case.region_reason}" if case.region is not None and case.region_reason else ""
            found.append(f"“{case.headline}”（地区“{place}”{where}）：{problem}")
    return found


def create_drafts(cases, user=None, region=None):
    """Draft case pages (never published) for parsed cases; returns them. Raises ValueError in Chinese when a
    case has no region and none was given, or when the gate refuses a value, before anything is saved."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from cms.core.models import Region
    from cms.core.validation import describe

    from .models import CaseStudyIndexPage, CaseStudyPage

    regions = list(Region.objects.all())
    for case in cases:
        if case.region is None:
            case.region, case.region_reason = suggest_region(case, regions)
        if case.region is None and region is None:
            raise ValueError(f"“{case.headline}”：没有从标题、署名或正文中认出地区，请指定地区后再导入")
    problems = refusals(cases, user, region)
    if problems:
        raise ValueError("；".join(problems))
    parent = CaseStudyIndexPage.objects.get()
    taken = set(CaseStudyPage.objects.values_list("slug", flat=True))
    pages = []
    with transaction.atomic():
        for case in cases:
            body = [(b["type"], b["value"]) for b in fit_blocks(case.blocks)]
            page = CaseStudyPage(
                title=case.headline[:255],
                slug=slug_for(case.headline, taken),
                region=case.region or region,
                summary="【待改写】" + first_sentence(case),
                source_publisher=(case.media or case.byline or "（未注明，请补充）")[:200],
                source_date=case.date,
                source_edition=case.edition[:50],
                source_byline=case.byline[:200],
                body=body,
                live=False,
                owner=user,
            )
            page.practices = [_row("CasePractice", name=name[:100]) for name in case.practices[:10] if len(name) <= 100]
            page.key_figures = [
                _row(
                    "CaseKeyFigure",
                    value=f["value"],
                    unit=f["unit"][:20],
                    label=f["label"][:100],
                    approximate=f["approximate"],
                )
                for f in case.figures[:10]
            ]
            try:
                parent.add_child(instance=page)
                page.save_revision(user=user, log_action=True)
            except ValidationError as exc:
                raise ValueError(f"“{case.headline[:60]}”无法保存：{describe(exc, CaseStudyPage)}") from exc
            pages.append(page)
    return pages


def _row(model_name, **values):
    from . import models

    return getattr(models, model_name)(**values)


def describe(case):
    """What the importer found for one case, as lines of Chinese for the editor."""
    lines = [f"标题：{case.headline}"]
    lines.append(f"署名：{case.byline or '（无）'}")
    source = " · ".join(x for x in (case.media, str(case.date or ""), case.edition) if x)
    lines.append(f"来源：{source or '（未识别）'}")
    lines.append(
        f"地区：{case.region if case.region else '（未识别）'}"
        + (f"（{case.region_reason}）" if case.region_reason else "")
    )
    kinds = Counter(b["type"] for b in case.blocks)
    lines.append(f"正文：{kinds['paragraph']} 段，{kinds['heading']} 个小标题，{kinds['figure']} 处图片说明")
    if case.practices:
        lines.append("建议的特色做法（请确认）：" + "；".join(f"“{p}”" for p in case.practices))
    if case.figures:
        lines.append(
            "建议的关键数字（请确认）："
            + "；".join(f"{'约' if f['approximate'] else ''}{f['value']}{f['unit']}{f['label']}" for f in case.figures)
        )
    for note in case.notes:
        lines.append(f"注意：{note}")
    return lines
