"""dump_content plus its media is a backup: restored into an empty database it rebuilds the same site."""

from pathlib import Path

import pytest
from PIL import Image as PILImage

from django.core.files.images import ImageFile
from django.core.management import call_command

from wagtail.blocks.stream_block import StreamValue
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.publishing.build import build_site
from cms.publishing.snapshot import image_key

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
    figure = {"type": "figure", "value": {"image": image.pk, "caption": "社区门口", "credit": "本报通讯员摄"}}
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
    Page.objects.filter(depth=2).delete()
    for level in sorted(Region.Level.values, reverse=True):  # leaves first: parents are protected
        Region.objects.filter(level=level).delete()
    get_image_model().objects.all().delete()
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
