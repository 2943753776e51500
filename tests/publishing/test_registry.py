"""The registry of kinds: a new kind is an app and nothing else.

A throwaway kind (备忘, ``tests/throwaway``: installed in the test settings only, registered by this test)
goes through every stage — export, portable files and back, Markdown and the site, search, static JSON,
the API — with no change to any other module. And the house keeps its shape: no import cycle in cms/,
publishing imports no content model, core never imports publishing.
"""

import ast
import json
import re
from pathlib import Path

import jsonschema
import pytest

from django.core.management import call_command

from cms.core.kinds import kinds, register, unregister
from cms.core.models import HomePage, Region
from cms.publishing.build import build_site
from cms.publishing.export import export_snapshot

from ..conftest import REPO, read_page, search_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def memo_kind():
    from tests.throwaway.kinds import MemoKind

    kind = register(MemoKind())
    yield kind
    unregister(kind.name)


def add_memo(slug, title, note):
    from tests.throwaway.models import MemoIndexPage, MemoPage

    index = MemoIndexPage.objects.first()
    if index is None:
        index = MemoIndexPage(title="备忘", slug="memos")
        HomePage.objects.get().add_child(instance=index)
        index.save_revision().publish()
    page = MemoPage(title=title, slug=slug, region=Region.objects.get(slug="hefei"), note=note)
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_a_throwaway_kind_goes_through_every_stage(memo_kind, site_dirs, tmp_path, client):
    from tests.throwaway.models import MemoPage

    add_memo("demo-memo", "鸬鹚湖备忘", "鸬鹚湖社区的备忘正文：每周三议事。")
    assert [k.name for k in kinds()][-1] == "memo"

    # export, and the portable files and back
    snap = export_snapshot()
    assert [e["meta"]["slug"] for e in snap.entries["memos"]] == ["demo-memo"]
    folder = tmp_path / "dump"
    call_command("dump_content", str(folder), verbosity=0)
    text = (folder / "memos" / "demo-memo.md").read_text(encoding="utf-8")
    assert "region: hefei" in text and "每周三议事" in text
    MemoPage.objects.all().delete()
    call_command("load_content", str(folder), "--no-build", verbosity=0)
    assert MemoPage.objects.get(slug="demo-memo").note.startswith("鸬鹚湖社区的备忘正文")

    # rendered, on the site, in the tabs and on its region's page; searchable
    _src, site = site_dirs
    build_site()
    assert "每周三议事" in read_page(site, "memos/demo-memo")
    assert "鸬鹚湖备忘" in read_page(site, "memos") and "鸬鹚湖备忘" in read_page(site, "regions/hefei")
    tabs = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', read_page(site, ""))
    assert tabs[5] == "备忘"  # after the four built-in kinds' sections, before 按地区
    record = next(r for r in search_records(site) if r["url"] == "/memos/demo-memo/")
    assert record["kind"] == "memo" and "每周三议事" in record["content"] and "合肥市" in record["places"]

    # static JSON and the API
    static = json.loads((Path(site) / "api" / "memos" / "demo-memo.json").read_text(encoding="utf-8"))
    jsonschema.validate(static, memo_kind.schema)
    assert static["intro"].startswith("鸬鹚湖社区") and static["region_path"][-1]["slug"] == "hefei"
    assert client.get("/api/v3/content/memos/demo-memo/", HTTP_HOST="localhost").json() == static
    found = client.get("/api/v3/content/items/", {"kind": "memo"}, HTTP_HOST="localhost").json()
    assert [i["slug"] for i in found["items"]] == ["demo-memo"]
    searched = client.get("/api/v3/content/items/", {"q": "每周三议事"}, HTTP_HOST="localhost").json()
    assert [i["slug"] for i in searched["items"]] == ["demo-memo"]


# --- the shape of the house --------------------------------------------------------------------------


def imports_of(path):
    """The cms modules a file imports (any import statement, at any depth)."""
    module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level] if path.name != "__init__.py" else module.split(".")
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("cms.")}


def modules():
    return {
        ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (REPO / "cms").rglob("*.py")
        if "migrations" not in p.parts
    }


def test_publishing_imports_no_content_model_and_core_never_imports_publishing():
    content_apps = ("cms.cases", "cms.lists", "cms.signage")
    for name, path in modules().items():
        found = imports_of(path)
        if name.startswith("cms.publishing"):
            assert not [i for i in found if i.startswith(content_apps)], name
            assert not [i for i in found if i.startswith("cms.api")], name
        if name.startswith("cms.core"):
            assert not [i for i in found if i.startswith("cms.publishing")], name


def test_no_import_cycle_in_cms():
    mods = modules()
    edges = {}
    for name, path in mods.items():
        targets = set()
        for target in imports_of(path):
            while target and target not in mods:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        edges[name] = targets

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert [name for name in mods if name in reach(name)] == []
