"""Draft case studies in the CMS from parsed articles (``article_import``): addresses, limits, places the
region tree lacks (on the editor's confirmation), the importer's marks, traditional text made simplified on
request, the account's places — checked before anything is saved, all or nothing."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from cms.core import richtext
from cms.core.access import home_place, place_refusal
from cms.core.models import Region
from cms.core.slugs import pinyin_slug, unique_slug
from cms.core.validation import describe

from .article_import import suggest_region
from .gazetteer import simplified
from .models import CaseKeyFigure, CasePractice, CaseStudyIndexPage, CaseStudyPage


def create_places(case):
    """Add the levels of the region tree ``case.new_places`` proposes (slugs in pinyin, codes kept), and set
    the case's region to the deepest; checked like any region an editor adds."""
    parent = Region.objects.get(pk=case.place_parent) if case.place_parent else None
    for data in case.new_places:
        region = Region(
            name=data["name"],
            level=data["level"],
            code=data.get("code", "")[:12],
            parent=parent,
            slug=unique_slug(pinyin_slug(data["name"]), lambda s: Region.objects.filter(slug=s).exists()),
        )
        region.full_clean()
        region.save()
        parent = region
    case.region, case.new_places, case.place_parent = parent, [], None
    return parent


def slug_for(headline, taken):
    """Short pinyin of the headline (cms/core/slugs.py), unique among ``taken`` (which it extends)."""
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
            chunks = [chunk[:limit] for chunk in chunks if chunk.strip()]
            if kind == "paragraph":  # rich text: the text as one paragraph
                chunks = [richtext.to_html([("p", [("text", chunk)])]) for chunk in chunks]
            out += [{"type": kind, "value": chunk} for chunk in chunks]
        elif kind == "figure":
            value = dict(value, caption=(value.get("caption") or "")[:300], credit=(value.get("credit") or "")[:100])
            out.append({"type": kind, "value": value})
        else:
            out.append(block)
    return out[:300]


def refusals(cases, user, region=None):
    """Why ``user`` may not import each case at its place (suggested, or ``region`` when none was found), in
    Chinese, naming the case, the place and where in the article the place was found; [] when all may go."""
    found = []
    for case in cases:
        place = case.region or region
        problem = place_refusal(user, place) if user is not None and place is not None else None
        if problem:
            where = f"，{case.region_reason}" if case.region is not None and case.region_reason else ""
            found.append(f"“{case.headline}”（地区“{place}”{where}）：{problem}")
    return found


def duplicates(cases):
    """A warning (in Chinese) for each case already in the CMS under the same headline, draft or published."""
    found = []
    for case in cases:
        for page in CaseStudyPage.objects.filter(title=case.headline[:255]).order_by("pk"):
            state = "已发布" if page.live else "草稿"
            found.append(f"“{case.headline[:60]}”已经导入过（{state}，编号 {page.pk}）：再导入一次会多出一篇")
    return found


def create_drafts(cases, user=None, region=None, make_places=False, simplify=False):
    """Draft case pages (never published) for parsed cases; returns them.

    A case whose place the gazetteer found but the region tree lacks gets those levels when ``make_places``
    (the editor confirmed them); a case with no place at all goes to ``region``, else the account's own place,
    else the first place of the tree, its summary marked 【待选地区】 (publishing is refused until the editor
    chooses). ``simplify`` turns a traditional-character draft into simplified characters, its first revision
    keeping the text as written. Raises ValueError in Chinese, before anything is saved, when the gate or the
    account's places refuse."""
    regions = list(Region.objects.all())
    for case in cases:
        if case.region is None and not case.new_places:
            case.region, case.region_reason = suggest_region(case, regions)
    parent = CaseStudyIndexPage.objects.get()
    taken = set(CaseStudyPage.objects.values_list("slug", flat=True))
    pages = []
    with transaction.atomic():
        for case in cases:
            if case.region is None and case.new_places and make_places:
                if user is not None and not user.has_perm("core.add_region"):
                    raise ValueError(
                        f"“{case.headline[:60]}”：您的账号不能新建地区，请管理员先建立地区或在导入时指定地区"
                    )
                try:
                    create_places(case)
                except ValidationError as exc:
                    raise ValueError(f"“{case.headline[:60]}”：新建地区失败：{describe(exc, Region)}") from exc
            if case.region is None and case.new_places and case.place_parent:
                case.region = Region.objects.filter(pk=case.place_parent).first()  # the part the tree has
            unplaced = case.region is None and region is None
            if case.region is None:
                case.region = region or (home_place(user) if user is not None else None) or _first_place()
                if case.region is None:
                    raise ValueError("地区树是空的：请先在“地区”中建立地区，再导入文章")
            problems = refusals([case], user)
            if problems:
                raise ValueError("；".join(problems))
            page = CaseStudyPage(
                title=case.headline[:255],
                slug=slug_for(case.headline, taken),
                region=case.region,
                summary=(CaseStudyPage.UNPLACED if unplaced else "")
                + CaseStudyPage.TO_REWRITE
                + (case.abstract or first_sentence(case))[:300],
                source_publisher=(case.media or case.byline or "（未注明，请补充）")[:200],
                source_date=case.date,
                source_edition=case.edition[:50],
                source_byline=case.byline[:200],
                body=[(b["type"], b["value"]) for b in fit_blocks(case.blocks)],
                live=False,
                owner=user,
            )
            _fill_rows(page, case)
            try:
                parent.add_child(instance=page)
                page.save_revision(user=user, log_action=True)
                if simplify and case.traditional:
                    _simplify_page(page, case)
                    page.save_revision(user=user, log_action=True)
            except ValidationError as exc:
                raise ValueError(f"“{case.headline[:60]}”无法保存：{describe(exc, CaseStudyPage)}") from exc
            pages.append(page)
    return pages


def _first_place():

    return Region.objects.filter(parent=None).order_by("pk").first()


def _fill_rows(page, case):
    page.practices = [CasePractice(name=name[:100]) for name in case.practices[:10] if len(name) <= 100]
    page.key_figures = [
        CaseKeyFigure(
            value=f["value"],
            unit=f["unit"][:20],
            label=f["label"][:100],
            approximate=f["approximate"],
        )
        for f in case.figures[:10]
    ]


def _simplify_page(page, case):
    """The draft in simplified characters (OpenCC); the revision saved before keeps the original."""

    def convert(value):
        if isinstance(value, str):
            return simplified(value)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    page.title = simplified(page.title)
    page.draft_title = page.title
    for name in ("summary", "source_publisher", "source_byline"):
        setattr(page, name, simplified(getattr(page, name)))
    page.body = [(b["type"], convert(b["value"])) for b in fit_blocks(case.blocks)]
    case.practices = convert(case.practices)
    case.figures = convert(case.figures)
    _fill_rows(page, case)
    page.save()
