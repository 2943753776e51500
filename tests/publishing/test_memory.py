"""What a build holds in memory. Equal parts of entries are held once (``snapshot.Sharing``): the export's
entries, and the build cache taken up after a restart, keep one copy of each text, row and list that several
entries hold — and nothing else changes: the entries are equal to what they were, their own dicts stay their
own. Page objects and rich-text walks leave no reference cycles waiting for a full collection."""

import datetime
import json
from pathlib import Path

import pytest

from django.utils.safestring import mark_safe

from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.publishing.build import build_site
from cms.publishing.cache import BuildCache
from cms.publishing.export import ExportCache, export_snapshot
from cms.publishing.snapshot import Sharing, digest

from ..conftest import make_case


def copies(entries):
    """Lists and dicts below the entries' meta that are equal but not the same object (what sharing removes),
    and how many such parts there are in all."""
    first, twins, count = {}, 0, 0

    def walk(value, top):
        nonlocal twins, count
        if isinstance(value, dict | list):
            if not top:
                count += 1
                key = (type(value).__name__, json.dumps(value, sort_keys=False, default=repr, ensure_ascii=False))
                if first.setdefault(key, value) is not value:
                    twins += 1
            for part in value.values() if isinstance(value, dict) else value:
                walk(part, False)

    for entry in entries:
        for key, value in entry.items():
            if key == "meta":
                for part in value.values():
                    walk(part, False)
            else:
                walk(value, False)
    return twins, count


def test_sharing_keeps_values_as_they_were_and_holds_equal_parts_once():
    sharing = Sharing()
    row = {"name": "出具居住证明", "where": "街道便民服务中心", "order": 1, "done": True}

    def entry(slug, **meta):
        return {"meta": {"slug": slug, "items": [dict(row), dict(row, order=2)], **meta}, "blocks": [{"a": [1, 2]}]}

    one, two = entry("a"), entry("b", date=datetime.date(2026, 5, 1))
    shared_one, shared_two = sharing.entry(one), sharing.entry(two)
    assert shared_one == one and shared_two == two and digest(shared_two) == digest(two)
    assert list(shared_two["meta"]) == list(two["meta"])  # key order kept: pages and JSON keep their order
    assert shared_one["meta"]["items"] is shared_two["meta"]["items"]
    assert shared_one["blocks"] is shared_two["blocks"]
    # An entry and its meta stay its own (the export and finish hooks set keys there).
    assert shared_one is not one and shared_one["meta"] is not shared_two["meta"]
    shared_one["meta"]["personal_data_kept"] = []
    assert "personal_data_kept" not in shared_two["meta"]
    assert copies([shared_one, shared_two])[0] == 0
    assert copies([one, two])[0] == 6  # (without sharing: the items, its two rows, the blocks, the block, its list)


@pytest.mark.parametrize(
    "this, that",
    [
        (1, True),  # equal in Python, not in what a page or JSON shows
        (1, 1.0),
        (0, False),
        ("1", 1),
        (datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1)),
        ("<b>", mark_safe("<b>")),  # noqa: S308 — a test value: a text that is safe is not plain text
        ([1], [True]),
        ({"a": 1}, {"a": 1.0}),
    ],
)
def test_parts_equal_in_python_but_not_in_kind_stay_apart(this, that):
    sharing = Sharing()
    one = sharing.entry({"meta": {"slug": "a"}, "rows": [{"v": this}]})
    two = sharing.entry({"meta": {"slug": "b"}, "rows": [{"v": that}]})
    assert one["rows"] is not two["rows"]
    assert type(one["rows"][0]["v"]) is type(this) and type(two["rows"][0]["v"]) is type(that)
    assert json.dumps(one["rows"], default=str) == json.dumps([{"v": this}], default=str)
    assert json.dumps(two["rows"], default=str) == json.dumps([{"v": that}], default=str)


def test_a_part_that_cannot_be_shared_is_kept_as_it_is_and_so_is_what_holds_it():
    sharing = Sharing()
    odd = [{"v": {1, 2}}, {"v": {1, 2}}]  # a set is not hashable: neither row can be looked up
    entries = [sharing.entry({"meta": {"slug": str(n)}, "rows": [odd[n]]}) for n in range(2)]
    assert entries[0]["rows"] == entries[1]["rows"] == [{"v": {1, 2}}]
    assert entries[0]["rows"] is not entries[1]["rows"]
    assert entries[0]["rows"][0] is not entries[1]["rows"][0]
    # Many unshareable parts made and dropped: none is ever taken for another (ids of dropped objects are reused).
    made = [sharing.entry({"meta": {"slug": "x"}, "rows": [{"v": {n}}]})["rows"] for n in range(200)]
    assert [rows[0]["v"] for rows in made] == [{n} for n in range(200)]


@pytest.mark.django_db
def test_the_export_holds_equal_parts_of_its_entries_once():
    for n in range(3):  # three cases with the same practices and figures (copied from one another, as happens)
        page = make_case(f"shared-{n}", f"共用做法的案例{n}")
        page.practices.create(name="红色物业", description="由社区党组织牵头选聘物业。")
        page.key_figures.create(label="小区党支部", value=12, unit="个")
        page.save_revision().publish()
    snap = export_snapshot()
    twins, count = copies(entry for _kind, entry in snap.all())
    assert count > 100 and twins == 0
    cases = {e["meta"]["slug"]: e for e in snap.entries["cases"] if e["meta"]["slug"].startswith("shared-")}
    assert cases["shared-0"]["meta"]["practices"] is cases["shared-2"]["meta"]["practices"]
    assert cases["shared-0"]["meta"]["practices"] == [{"name": "红色物业", "description": "由社区党组织牵头选聘物业。"}]
    # With a cache, an edit exports one page again: what the others hold stays shared, and all is as a
    # fresh export gives it. (An edited page shares within itself only, until a restart or a fresh export.)
    cache = ExportCache()
    export_snapshot(cache=cache)
    page = CaseStudyPage.objects.get(slug="shared-1")
    page.title = "改过标题"
    page.save_revision().publish()
    again = export_snapshot(cache=cache)
    assert again.entries == export_snapshot().entries
    cases = {e["meta"]["slug"]: e for e in again.entries["cases"] if e["meta"]["slug"].startswith("shared-")}
    assert cases["shared-0"]["meta"]["practices"] is cases["shared-2"]["meta"]["practices"]
    assert cases["shared-1"]["meta"]["title"] == "改过标题"


@pytest.mark.django_db
def test_a_cache_taken_up_after_a_restart_holds_equal_parts_once(settings, site_dirs, monkeypatch):
    settings.SITE_BUILD_CACHE_KEPT = True
    monkeypatch.setattr(BuildCache, "SAVE_CHUNK", 2)  # pickled in many parts: each part shares only within
    for n in range(3):
        page = make_case(f"kept-{n}", f"保存的案例{n}")
        page.practices.create(name="议事协商", description="每月一次。")
        page.save_revision().publish()
    cache = BuildCache(persistent=True)
    build_site(cache=cache)
    cache.wait_for_save()
    restored = BuildCache(persistent=True)
    source, _site = site_dirs
    assert restored.restore(source / ".cache")
    entries = [entry for _key, entry, *_rest in restored.export.entries.values()]
    assert [e for _k, e, *_r in cache.export.entries.values()] == entries
    twins, count = copies(entries)
    assert count > 100 and twins == 0
    assert Region.objects.exists()


def test_shared_parts_are_written_out_in_full_in_yaml():
    from cms.publishing.markdown import front_matter
    from cms.publishing.portable import dump_yaml

    sharing = Sharing()
    basis = [{"text": "中华人民共和国城市居民委员会组织法", "version": "2025年修订"}]
    entry = sharing.entry({"meta": {"slug": "a", "items": [{"basis": list(basis)}, {"basis": list(basis)}]}})
    assert entry["meta"]["items"][0]["basis"] is entry["meta"]["items"][1]["basis"]
    text = dump_yaml(entry["meta"])
    assert "&id" not in text and "*id" not in text and text.count("组织法") == 2
    matter = front_matter("标题", extra={"one": entry["meta"]["items"][0], "two": entry["meta"]["items"][1]})
    assert "&id" not in matter and matter.count("组织法") == 2


@pytest.mark.django_db
def test_the_export_lets_each_chunk_of_pages_go_before_the_next():
    """Page objects hold each other in reference cycles (prefetched rows, stream values): the export frees
    each chunk's with a young collection instead of leaving them all to a full one (memory.collected_in_steps)."""
    import gc

    from cms.core.kinds import kinds
    from cms.publishing import export

    models = tuple(kind.model for kind in kinds())
    seen = []
    load_pages = export.load_pages

    def loading(*args):
        seen.append(sum(1 for o in gc.get_objects() if issubclass(type(o), models)))  # alive when a chunk starts
        return load_pages(*args)

    gc.collect()
    gc.disable()  # (as if no automatic collection came: what is left is left for good)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(export, "EXPORT_CHUNK", 3)
            patch.setattr(export, "load_pages", loading)
            snap = export_snapshot()
        left = sum(1 for o in gc.get_objects() if issubclass(type(o), models))
        assert gc.isenabled() is False  # the export does not turn collections on that were off
    finally:
        gc.enable()
    assert snap.count >= 15 and len(seen) > 5
    assert seen == [0] * len(seen) and left == 0


def test_rich_text_walks_leave_no_reference_cycles():
    """Every page's rich text is walked in the export and the render: a walk that leaves a cycle behind
    (a closure calling itself) leaves objects by the hundred thousand for a full collection to find."""
    import gc

    from cms.core import richtext
    from cms.publishing.markdown import render_blocks

    html = '<p>一<b>二<i>三<a href="https://example.com/">四</a></i></b></p><ul><li>五<a linktype="page" id="3">六</a></li></ul>'
    portable = richtext.to_portable(richtext.from_html(html), lambda ref: "cases/a.md", lambda ref: None)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            tree = richtext.from_html(html)
            text = richtext.to_portable(tree, lambda ref: "cases/a.md", lambda ref: None)
            richtext.to_html(
                richtext.map_links(richtext.from_portable(text), lambda kind, ref: (kind, 3 if kind == "page" else ref))
            )
            assert richtext.links(text) == [("url", "https://example.com/"), ("page", "cases/a.md")]
            render_blocks([{"type": "paragraph", "value": portable}])
        left = gc.collect()
    finally:
        gc.enable()
    assert text == portable and "**二*三[四](https://example.com/)*" in text
    assert left == 0


@pytest.mark.django_db
def test_the_worker_keeps_search_records_packed(site_dirs):
    """Between builds the worker keeps each page's search record compressed (its text is most of it); what the
    index reads back is the record as made."""
    from django.conf import settings

    from cms.publishing.render import site_context
    from cms.publishing.search import record, unpacked

    cache = BuildCache()
    build_site(cache=cache)
    found = cache.memos[("search", "records")].found
    assert len(found) >= 15 and all(isinstance(value[1], bytes) for value in found.values())
    snap = export_snapshot()
    source, _site = site_dirs
    site = site_context(snap, settings.PUBLIC_SITE_URL, BuildCache(), source)
    for kind, entry in snap.all():
        url = f"/{kind.folder}/{entry['meta']['slug']}/"
        assert unpacked(found[url][1]) == record(site, kind, entry)
    packed_size = sum(len(value[1]) for value in found.values())
    plain = sum(len(json.dumps(unpacked(value[1]), ensure_ascii=False).encode()) for value in found.values())
    assert packed_size < plain * 0.75


@pytest.mark.django_db
def test_item_summaries_kept_between_builds_share_their_parts(site_dirs):
    """The static JSON keeps every item's summary between builds: items in one place hold one region path."""
    cache = BuildCache()
    build_site(cache=cache)
    (found,) = [memo.found for key, memo in cache.memos.items() if key[0] == "json-items"]
    summaries = [value[3] for value in found.values()]
    assert len(summaries) >= 15
    by_path = {}
    for summary in summaries:
        by_path.setdefault(json.dumps(summary["region_path"], ensure_ascii=False), []).append(summary["region_path"])
    assert any(len(paths) > 1 for paths in by_path.values())
    assert all(all(path is paths[0] for path in paths) for paths in by_path.values())


@pytest.mark.django_db
def test_rendered_pages_let_go_of_what_rendering_left_and_render_the_same_again(site_dirs, tmp_path):
    """A render process renders tens of thousands of pages: once a page's HTML is written it keeps nothing of
    it (HTML, Markdown, contents, anchors; front matter but for pages in the navigation), and rendering it
    again gives the same bytes."""
    from django.conf import settings

    from cms.publishing.project import MkDocsProject

    build_site()
    source, _site = site_dirs
    project = MkDocsProject(settings.MKDOCS_CONFIG, source, tmp_path / "out")
    uris = [file.src_uri for file in project.doc_files]
    assert project.render_pages(uris) == []
    first = {uri: project.dest(project.files.get_file_from_path(uri)) for uri in uris}
    written = {uri: Path(path).read_bytes() for uri, path in first.items()}
    in_nav = {id(page) for page in project.nav.pages}
    pages = [file.page for file in project.doc_files]
    assert all(p.content is None and p.markdown is None and p.toc == [] and not p.links_to_anchors for p in pages)
    assert all(p.meta == {} for p in pages if id(p) not in in_nav)
    assert all(p.meta.get("title") for p in pages if id(p) in in_nav)
    assert len(pages) > len(in_nav) > 0
    assert project.render_pages(list(reversed(uris))) == []
    assert {uri: Path(path).read_bytes() for uri, path in first.items()} == written
