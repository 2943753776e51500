"""Turn a newspaper article (plain text) into draft case studies, and say what was found and what is unsure.

An article file may hold several cases (a page of reports), each starting with a headline such as
“山西省长治市上党区：减负赋能让社区‘轻装上阵’”, often followed by a byline (■中共…委组织部). The page
furniture of a newspaper page (版次 lines, 返回目录, related-article links at the end) is left out but read
for the media name, date and edition. Photo captions (lines ending in 供图 / 摄, and caption lines next to
them) become caption placeholders, not body text. Nothing here writes to the database: the drafts are made
by ``article_drafts``.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from cms.core.validation import UNUSABLE

from . import gazetteer

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
    r"([\u4e00-\u9fff]{0,12}?)(\d+(?:\.\d+)?)\s*(余|多|近)?\s*"
    r"(个|家|名|支|人次|人|项|户|条|次|块|万元|亿元|元|座|处|件|栋|平方米|场|批|所|类|张|套|小时|天)"
    r"([\u4e00-\u9fff]{0,8})"
)
QUOTED = re.compile(r"[“「]([^”」]{2,30})[”」]")
# Research reports: an author line (作者：… or names, with their institution), 摘要 and 关键词 lines, headings
# numbered 一、 and （一）.
AUTHOR = re.compile(
    r"^(?:作\s*者\s*[:：]\s*)?[\u4e00-\u9fff·]{2,5}(?:\s*[（(][^）)]{2,40}[）)])?"
    r"(?:[\s、，,]+[\u4e00-\u9fff·]{2,5}(?:\s*[（(][^）)]{2,40}[）)])?){0,5}\s*$"
)
AUTHOR_LABEL = re.compile(r"^作\s*者\s*[:：]\s*(.+)$")
ABSTRACT = re.compile(r"^[【\[]?\s*(摘\s*要|内容提要|提\s*要)\s*[】\]]?\s*[:：]?\s*(.+)$")
KEYWORDS = re.compile(r"^[【\[]?\s*(关键词|关键字)\s*[】\]]?\s*[:：]?\s*(.+)$")
NUMBERED_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、]\s*\D)")
# A key figure's label stops before the next phrase starts (“85个网格党支部覆盖全区” counts 网格党支部) and
# after the previous one ends (“全区共有网格107个” counts 网格).
NEXT_PHRASE = re.compile(
    r"[的和与及并在是为将把被让使对向了着过也都又就还而或共达累]"
    r"|成立|开展|建立|推行|实现|覆盖|参与|完成|组建|设立|开通|提供|解决|发放|办理|办结"
    r"|按照|围绕|积极|担任|设置|从事|投身|全部|全|到|应|创新"
)
LAST_PHRASE = re.compile(r".*[的了在是共有达计将把对向与和及为等]")


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
    abstract: str = ""
    keywords: list = field(default_factory=list)
    # Levels of the region tree the gazetteer found and the tree lacks, top first ({"name", "level", "code"}),
    # made on the editor's confirmation under ``place_parent`` (a Region pk, or None for a new province).
    new_places: list = field(default_factory=list)
    place_parent: int | None = None
    traditional: bool = False

    @property
    def paragraphs(self):
        return [b["value"] for b in self.blocks if b["type"] == "paragraph"]


@dataclass
class Line:
    text: str
    indented: bool
    number: int


def _plain(text):
    """Simplified characters for analysis (OpenCC); the text itself is kept as written."""
    return gazetteer.simplified(text)


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
    lines, abstract, keywords = _report_parts(lines)
    if not lines:
        raise ValueError("文章只有摘要和关键词，没有正文")
    starts = _headline_starts(lines)
    notes, author = [], None
    if not starts:
        # A single report: its first line is the headline, unless that line is its authors (a research report
        # often names them first).
        first = 1 if len(lines) > 1 and _is_author(lines[0].text) and not _is_author(lines[1].text) else 0
        if first:
            author = lines[0]
            notes.append("第一行是作者，把第二行当作标题")
        else:
            notes.append("没有找到“地区：标题”形式的标题，把第一行当作标题")
        size = 2 if len(lines) > first + 1 and lines[first + 1].text.startswith(("——", "—", "--")) else 1
        starts = [(first, size)]  # a subtitle line (——以…为例) belongs to the headline
    elif starts[0][0] != 0:
        skipped = [line.text for line in lines[: starts[0][0]]]
        if any(_is_sentence(t) for t in skipped):
            notes.append(f"第一个标题之前有 {len(skipped)} 行文字未导入")
    cases = []
    for n, (start, size) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        head = lines[start : start + size]
        headline = "".join(line.text for line in head)
        if size == 2 and not head[1].text.startswith(("——", "—", "--")):
            headline = re.sub(r"\s*[:：]\s*", "：", headline, count=1)
        case = ArticleCase(headline=headline, media=meta.media, date=meta.date, edition=meta.edition)
        case.notes = list(notes) if n == 0 else []
        if n == 0:
            case.abstract, case.keywords = abstract, keywords
        body = lines[start + size : end]
        if author is not None and n == 0:
            body = [author, *body]
        _fill(case, body, last=n + 1 == len(starts))
        cases.append(case)
    if _is_traditional(text):
        for case in cases:
            case.traditional = True
            case.notes.append(
                "文章是繁体字：已转为简体来识别；勾选“转为简体”可让草稿也用简体，繁体原文留在页面历史的第一版"
            )
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
    elif body and _is_author(body[0].text):
        match = AUTHOR_LABEL.match(body[0].text)
        case.byline = (match[1] if match else body[0].text).strip()
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
    wrap = _wrap_width(body)
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
        if _is_numbered_heading(text):
            if pending:
                blocks.append({"type": "paragraph", "value": pending})
                pending = ""
            blocks.append({"type": "heading", "value": text})
            i += 1
            continue
        broken = wrap and len(text) >= wrap - 1 and not _is_sentence(text)  # a line cut mid-sentence
        if not pending and not broken and _is_heading(text):
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


def _report_parts(lines):
    """(lines, abstract, keywords): a research report's 摘要 (with the lines it runs on to) and 关键词 taken out."""
    kept, abstract, keywords, i = [], "", [], 0
    while i < len(lines):
        plain = _plain(lines[i].text)
        if not abstract and (match := ABSTRACT.match(plain)):
            abstract = lines[i].text[match.start(2) :].strip()
            while not _is_sentence(abstract) and i + 1 < len(lines) and not _report_line(lines[i + 1].text):
                i += 1
                abstract += lines[i].text
        elif not keywords and (match := KEYWORDS.match(plain)):
            keywords = [k for k in re.split(r"[；;，,、\s]+", lines[i].text[match.start(2) :]) if k]
        else:
            kept.append(lines[i])
        i += 1
    return kept, abstract, keywords


def _report_line(text):
    plain = _plain(text)
    return bool(ABSTRACT.match(plain) or KEYWORDS.match(plain) or _is_numbered_heading(text))


def _is_author(text):
    """An author line: 作者：…, or two to five-character names (with their institutions in brackets)."""
    plain = _plain(text)
    if AUTHOR_LABEL.match(plain):
        return len(text) <= 80
    if len(text) > 60 or not AUTHOR.match(plain) or PLACE_ONLY.match(plain):
        return False
    # Several names, or a name with its institution; a lone name only when it is short as names are.
    return bool(re.search(r"[\s、，,（(]", text.strip())) or len(text.strip()) <= 3


def _is_numbered_heading(text):
    return len(text) <= 40 and bool(NUMBERED_HEADING.match(text)) and not _is_sentence(text)


def _wrap_width(body):
    """The width a text was hard-wrapped at (the most common length of lines that stop mid-sentence, when at
    least three share it), or 0."""
    lengths = Counter(len(line.text) for line in body if not _is_sentence(line.text) and len(line.text) >= 15)
    if not lengths:
        return 0
    width, count = max(lengths.items(), key=lambda item: (item[1], item[0]))
    return width if count >= 3 else 0


def _is_traditional(text):
    """True when at least one in fifty Chinese characters is a traditional form."""
    converted = gazetteer.simplified(text)
    hanzi = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    if len(converted) != len(text):
        return True
    return hanzi > 0 and sum(1 for a, b in zip(text, converted, strict=True) if a != b) * 50 >= hanzi


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
            after = after[: stop.start() if (stop := NEXT_PHRASE.search(after, 2)) else None]
            before = LAST_PHRASE.sub("", before) if len(LAST_PHRASE.sub("", before)) >= 2 else before
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
    """(region, reason): the place the case is about, looked for in the headline, then the byline, the keywords
    and the body (most named). Places of the region tree come first (they know streets and communities); a
    province, city or county of the gazetteer that is more specific than what the tree offers is proposed
    instead: ``case.new_places`` then lists the levels to add on the editor's confirmation (region None)."""
    case.new_places, case.place_parent = [], None
    by_depth = sorted(regions, key=lambda r: (-r.level, -len(r.name)))
    sources = (("标题", case.headline), ("署名", case.byline), ("关键词", "；".join(case.keywords)))
    for where, text in (*sources, ("正文", "".join(case.paragraphs))):
        plain = _plain(text)
        if where == "正文":
            counted = [(plain.count(r.name), r.level, r) for r in regions if len(r.name) >= 3 and r.name in plain]
            count, _level, known = max(counted, key=lambda c: (c[0], c[1])) if counted else (0, 0, None)
        else:
            known = next((r for r in by_depth if r.name in plain), None)
        place = gazetteer.deepest(plain)
        if place is not None and (known is None or place.level > known.level):
            found, missing = _in_tree(place, regions)
            if not missing:
                return found, f"{where}中提到“{place.name}”（{place}）"
            case.new_places = [{"name": p.name, "level": p.level, "code": p.code} for p in missing]
            case.place_parent = found.pk if found is not None else None
            names = "、".join(p.name for p in missing)
            keep = f"；不新建则放在“{found.name}”" if found is not None else ""
            return None, f"{where}中提到“{place.name}”（{place}），地区树中还没有：{names}，确认后新建{keep}"
        if known is not None:
            if where == "正文":
                return known, f"正文中提到“{known.name}” {count} 次（请核对）"
            return known, f"{where}中提到“{known.name}”"
    return None, ""


def _in_tree(place, regions):
    """(deepest region of the tree on the place's chain, [places of the chain the tree lacks below it])."""
    found, missing = None, []
    for level in place.chain():
        match = [r for r in regions if level.code and r.code == level.code] or [
            r for r in regions if r.name == level.name and (found is None or r.parent_id == found.pk)
        ]
        if match and not missing:
            found = match[0]
        else:
            missing.append(level)
    return found, missing


def describe(case):
    """What the importer found for one case, as lines of Chinese for the editor."""
    lines = [f"标题：{case.headline}"]
    lines.append(f"署名：{case.byline or '（无）'}")
    source = " · ".join(x for x in (case.media, str(case.date or ""), case.edition) if x)
    lines.append(f"来源：{source or '（未识别）'}")
    if case.region:
        where = str(case.region)
    elif case.new_places:
        where = "待新建 " + " › ".join(p["name"] for p in case.new_places)
    else:
        where = "（未识别：草稿会标上“待选地区”，请在编辑页选择）"
    lines.append(f"地区：{where}" + (f"（{case.region_reason}）" if case.region_reason else ""))
    if case.abstract:
        lines.append(f"摘要：{case.abstract[:120]}{'…' if len(case.abstract) > 120 else ''}")
    if case.keywords:
        lines.append("关键词：" + "；".join(case.keywords))
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
