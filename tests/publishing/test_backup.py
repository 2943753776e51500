"""dump_content plus its media is a backup: restored into an empty database it rebuilds the same site."""

from pathlib import Path

import pytest
from PIL import Image as PILImage

from django.core.files.images import ImageFile
from django.core.management import call_command

from wagtail.blocks.stream_block import StreamValue
from wagtail.images import get_image_model

from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.publishing.build import build_site
from cms.publishing.serialize import image_key

from ..conftest import empty_content

pytestmark = pytest.mark.django_db


def tree(folder):
    folder = Path(folder).resolve()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_restoring_a_dump_into_an_empty_database_rebuilds_the_same_site(site_dirs, settings, tmp_path):
    photo = tmp_path / "jinsong-door.png"
    PILImage.new("RGB", (8, 6), (200, 30, 30)).save(photo)
    with photo.open("rb") as fh:
        image = get_image_model().objects.create(title="jinsong-door.png", file=ImageFile(fh, name="jinsong-door.png"))
    case = CaseStudyPage.objects.get(slug="yingze-jinsong-community")
    figure = {
        "type": "figure",
        "value": {"image": image.pk, "caption": "社区门口", "credit": "本报通讯员摄", "alt": "红色的社区大门"},
    }
    case.body = StreamValue(case.body.stream_block, [figure, *case.body.raw_data], is_lazy=True)
    case.save_revision().publish()

    _src, site = site_dirs
    build_site()
    original = tree(site)
    backup = tmp_path / "backup"
    call_command("dump_content", str(backup), verbosity=0)
    # Images are named by their content, never by their title.
    key = image_key(image)
    assert key.startswith("media/") and key.endswith(".png") and "jinsong" not in key
    assert (backup / key).read_bytes() == photo.read_bytes()

    # An empty database: no pages below the root, no regions, no images.
    empty_content()
    assert not CaseStudyPage.objects.exists()

    call_command("load_content", str(backup), "--no-build", verbosity=0)
    settings.SITE_SOURCE_DIR = tmp_path / "restored_src"
    settings.SITE_OUTPUT_DIR = tmp_path / "restored_site"
    build_site()
    restored = tree(settings.SITE_OUTPUT_DIR)

    # Every page, JSON file, asset and search index file is identical, by name and bytes.
    assert sorted(restored) == sorted(original)
    assert [n for n in original if original[n] != restored[n]] == []
    assert key in (Path(settings.SITE_OUTPUT_DIR) / "cases" / "yingze-jinsong-community" / "index.html").read_text(
        encoding="utf-8"
    )


def test_the_hostile_corpus_restores_byte_for_byte(site_dirs, settings, tmp_path):
    """Every hostile value the gate accepts, in every field of every kind, survives dump → empty database →
    load → build: the same site, the same dump."""
    from cms.cases.models import (
        CaseCollectionEntry,
        CaseCollectionIndexPage,
        CaseCollectionPage,
        CaseKeyFigure,
        CasePolicyDocument,
        CasePractice,
        CaseStudyIndexPage,
    )
    from cms.lists.models import DutyListIndexPage, DutyListPage, ListItem
    from cms.signage.models import NoticePhoto, RetainedSign, SignageNoticeIndexPage, SignageNoticePage

    from ..hostile import CORPUS, line, paragraph

    count = len(CORPUS)
    place = Region.objects.create(
        name=line(3)[:100], slug="hostile-place", level=Region.Level.COMMUNITY, parent=Region.objects.get(slug="hefei")
    )
    photo = tmp_path / "photo.png"
    PILImage.new("RGB", (8, 6), (20, 120, 30)).save(photo)
    with photo.open("rb") as fh:
        image = get_image_model().objects.create(title=line(5), file=ImageFile(fh, name="photo.png"))
    for k in range(2):
        case = CaseStudyPage(
            title=line(k) or "标题",
            slug=f"hostile-case-{k}",
            region=place,
            summary=paragraph(k)[:1000],
            source_publisher=line(k + 1)[:200],
            source_edition=line(k + 2)[:50],
            source_byline=line(k + 3)[:200],
            source_url="https://example.org/a?b=<c>&d='e'",
        )
        case.practices = [CasePractice(name=line(n)[:100], description=paragraph(n)[:500]) for n in range(count)]
        case.key_figures = [CaseKeyFigure(label=line(n)[:100], value=n + 0.5, unit=line(n)[:20]) for n in range(20)]
        case.policy_documents = [CasePolicyDocument(number=line(n)[:80], title=line(n + 1)[:200]) for n in range(10)]
        blocks = []
        for n in range(count):
            blocks += [
                ("heading", line(n)[:120]),
                ("paragraph", paragraph(n)),
                ("quote", {"text": paragraph(n + 1), "attribution": line(n)[:100]}),
                (
                    "figure",
                    {
                        "image": image if n == 0 else None,
                        "caption": line(n)[:300],
                        "credit": line(n + 2)[:100],
                        "alt": line(n + 3)[:250],
                    },
                ),
            ]
        case.body = blocks[:300]
        CaseStudyIndexPage.objects.get().add_child(instance=case)
        case.themes.set(["yes", "<script>", "# 注释", "表情😀", "---", f"主题{k}"])
        case.save_revision().publish()
    duty = DutyListPage(
        title=line(9),
        slug="hostile-list",
        region=place,
        list_kind="certificates_cancelled",
        version_label=line(10)[:50],
        issuing_bodies="\n".join(line(n) for n in range(5)),
        intro=paragraph(11),
        publisher=line(12),
        document_number=line(13)[:80],
        index_number=line(14)[:60],
    )
    duty.items = [
        ListItem(
            number=n + 1,
            **{
                field: (paragraph(n) if field in ("content", "procedure", "alternative") else line(n))[:100]
                for field in (
                    "category",
                    "name",
                    "content",
                    "department",
                    "resourcing",
                    "purpose",
                    "issuer",
                    "procedure",
                    "alternative",
                )
            },
            alternative_kind="pledge",
            basis=[("basis", {"text": line(n)[:500], "version": line(n + 1)[:100]})],
        )
        for n in range(count)
    ]
    DutyListIndexPage.objects.get().add_child(instance=duty)
    duty.save_revision().publish()
    notice = SignageNoticePage(
        title=line(15), slug="hostile-notice", community=place, notice_date="2024-05-01", responsible_body=line(16)
    )
    notice.retained_signs = [
        RetainedSign(kind="plaque", text=line(n)[:200], position=line(n + 1)[:100]) for n in range(count)
    ]
    notice.photos = [NoticePhoto(image=image, phase="before", caption=line(17))]
    notice.body = [("paragraph", paragraph(n)) for n in range(count)]
    SignageNoticeIndexPage.objects.get().add_child(instance=notice)
    notice.save_revision().publish()
    collection = CaseCollectionPage(title=line(18), slug="hostile-collection", intro=paragraph(19), audience=line(20))
    collection.entries = [
        CaseCollectionEntry(case=CaseStudyPage.objects.get(slug="hostile-case-0"), note=paragraph(21))
    ]
    CaseCollectionIndexPage.objects.get().add_child(instance=collection)
    collection.save_revision().publish()

    _src, site = site_dirs
    build_site()
    original = tree(site)
    first, second = tmp_path / "dump1", tmp_path / "dump2"
    call_command("dump_content", str(first), verbosity=0)

    empty_content()

    call_command("load_content", str(first), "--no-build", verbosity=0)
    call_command("dump_content", str(second), verbosity=0)
    assert tree(second) == tree(first)
    settings.SITE_SOURCE_DIR = tmp_path / "restored_src"
    settings.SITE_OUTPUT_DIR = tmp_path / "restored_site"
    build_site()
    restored = tree(settings.SITE_OUTPUT_DIR)
    assert sorted(restored) == sorted(original)
    assert [n for n in original if original[n] != restored[n]] == []
    html = (Path(settings.SITE_OUTPUT_DIR) / "cases" / "hostile-case-0" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&#60;script&#62;alert(1)&#60;/script&#62;" in html
    # The static JSON keeps to its schema, whatever the values.
    import json

    import jsonschema

    from ..conftest import REPO

    schema = json.loads((REPO / "schemas" / "content.schema.json").read_text(encoding="utf-8"))
    api = Path(settings.SITE_OUTPUT_DIR) / "api"
    for folder in ("cases", "lists", "notices"):
        for path in (api / folder).glob("hostile-*.json"):
            jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), {**schema, "$ref": "#/$defs/item"})
