"""The search index's delta: an edit compares only the pages touched since the live index with its base, and
writes exactly what comparing every page would write."""

import shutil

from cms.publishing import search_index
from cms.publishing.search import SearchChanges, packed
from cms.publishing.search_index import INDEX_DIR, index_search


def record(url, text):
    return {
        "u": url,
        "t": text[:6],
        "k": "case",
        "l": "经验案例",
        "p": [],
        "r": [],
        "x": text,
        "w": [],
        "s": "",
        "v": "",
        "n": [],
    }


def records_of(pages):
    """{url: (key, record packed, digest)} as search_records gives them."""
    return {url: (repr(text), packed(record(url, text)), "") for url, text in pages.items()}


def files(folder):
    root = folder / INDEX_DIR
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def without_token(manifest):
    return {key: value for key, value in manifest.items() if key != "token"}


class Track:
    """A site's generations built one after another: with the pages touched (``changes``) or without."""

    def __init__(self, folder, changes):
        self.folder, self.changes, self.previous = folder, changes, {}
        folder.mkdir()

    def build(self, pages, touched=(), live=True):
        if self.changes is not None:
            self.changes.touch(touched)
        target = self.folder
        if not live:  # a build whose generation never goes live: a copy, thrown away
            target = self.folder.with_name(self.folder.name + "-lost")
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(self.folder, target)
        manifest = index_search(target, records_of(pages), self.previous, full=not self.previous, changes=self.changes)
        if live:
            self.previous = manifest
        return manifest


def test_an_edit_compares_only_the_pages_touched_and_writes_what_comparing_every_page_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(search_index, "DELTA_LIMIT", 12)  # (a few pages stand for the 400)
    pages = {f"/cases/c{n:03d}/": f"第{n}个案例 社区 网格 物业 议事" for n in range(40)}
    touched_only = Track(tmp_path / "touched", SearchChanges())
    every_page = Track(tmp_path / "every", None)

    def step(change, live=True):
        touched = set()
        for url, text in change.items():
            touched.add(url)
            if text is None:
                pages.pop(url, None)
            else:
                pages[url] = text
        one = touched_only.build(dict(pages), touched, live)
        other = every_page.build(dict(pages), touched, live)
        assert without_token(one) == without_token(other)
        if live:
            assert files(touched_only.folder) == files(every_page.folder)
        return one

    first = step({})
    assert len(first["bundles"]) == 1
    assert touched_only.changes.urls == set()  # counted from here on
    one = step({"/cases/c001/": "改写后的案例 红色物业"})
    assert list(one["delta"]) == ["/cases/c001/"]
    # Not touched now, still in the delta: the previous build's changes are looked at again.
    one = step({"/cases/c002/": "第二次修改 群众点单", "/cases/c003/": None})
    assert set(one["delta"]) == {"/cases/c001/", "/cases/c002/"}
    assert one["base"]["purged"]  # the base's copies were purged
    # Back to what the base holds: purged, so it stays in the delta.
    step({"/cases/c001/": pages["/cases/c000/"].replace("第0个", "第1个")})
    step({"/cases/new/": "新发布的案例 居住证明", "/cases/c003/": "回来的案例"})
    step({})
    # A build that did not go live: what it touched is not lost for the next one, which compares every page.
    step({"/cases/c010/": "没有上线的修改 老旧小区"}, live=False)
    one = step({})
    assert "/cases/c010/" in one["delta"]
    step({"/cases/c011/": None, "/cases/c012/": "再改一次"})
    # Many changes at once: the base is written again.
    one = step({url: "全部重写 " + url for url in list(pages)[:13]})
    assert len(one["bundles"]) == 1
    one = step({"/cases/c020/": None})
    assert one["base"]["purged"] == [one["base"]["numbers"]["/cases/c020/"]]
