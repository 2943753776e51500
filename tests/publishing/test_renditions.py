"""Pictures as renditions: WebP and JPEG at 360/720/1080 pixels beside the original, a ``<picture>`` with a
responsive srcset and lazy loading on the page, and alternative text required before publishing."""

import io
import random
from pathlib import Path

import pytest
from PIL import Image as PILImage

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile

from wagtail.blocks.stream_block import StreamValue
from wagtail.images import get_image_model

from cms.cases.models import CaseStudyPage
from cms.publishing.build import build_site
from cms.publishing.renditions import WIDTHS

from ..conftest import read_page

pytestmark = pytest.mark.django_db


def photo(name, size=(2400, 1600), seed=1):
    """A photograph-like JPEG: smooth colour with some grain (a flat colour would compress to nothing)."""
    rng = random.Random(seed)
    small = PILImage.new("RGB", (48, 32))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(48 * 32)])
    image = small.resize(size, PILImage.Resampling.BICUBIC)
    data = io.BytesIO()
    image.save(data, "JPEG", quality=92)
    return get_image_model().objects.create(title=name, file=ImageFile(io.BytesIO(data.getvalue()), name=name))


def with_figures(page, images, alt="社区干部在小区门口为居民登记"):
    blocks = [{"type": "paragraph", "value": "社区把服务站搬到了小区门口。"}]
    for n, image in enumerate(images):
        blocks.append(
            {"type": "figure", "value": {"image": image.pk, "caption": f"第{n + 1}张", "credit": "", "alt": alt}}
        )
    page.body = StreamValue(page.body.stream_block, blocks, is_lazy=True)
    return page


def test_a_picture_is_served_as_renditions_named_by_its_content(site_dirs):
    image = photo("门口.jpg")
    page = with_figures(CaseStudyPage.objects.get(slug="hefei-red-property"), [image])
    page.save_revision().publish()
    build_site()
    _src, site = site_dirs
    digest = image.get_file_hash()
    assert (Path(site) / f"media/{digest}.jpg").exists()  # the original, as static JSON and the API name it
    for width in WIDTHS:
        for ext, kind in (("webp", "WEBP"), ("jpg", "JPEG")):
            with PILImage.open(Path(site) / f"media/{digest}-w{width}.{ext}") as made:
                assert (made.format, made.width) == (kind, width)
    html = read_page(site, "cases/hefei-red-property/")
    assert '<source type="image/webp" srcset="' in html and f"{digest}-w360.webp 360w" in html
    assert f"{digest}-w1080.jpg 1080w" in html and 'loading="lazy"' in html
    assert 'alt="社区干部在小区门口为居民登记"' in html and "<figcaption>第1张</figcaption>" in html
    # Retitling the picture changes no address; taking it off the page takes its renditions off the site.
    image.title = "另一个标题"
    image.save()
    page.body = StreamValue(page.body.stream_block, [{"type": "paragraph", "value": "没有图片了。"}], is_lazy=True)
    page.save_revision().publish()
    build_site()
    assert not list((Path(site) / "media").glob(f"{digest}*"))


def test_a_small_picture_is_never_enlarged(site_dirs):
    image = photo("小图.jpg", size=(300, 200))
    with_figures(CaseStudyPage.objects.get(slug="hefei-red-property"), [image]).save_revision().publish()
    build_site()
    with PILImage.open(Path(site_dirs[1]) / f"media/{image.get_file_hash()}-w1080.webp") as made:
        assert made.size == (300, 200)


def test_publishing_waits_for_the_alternative_text_of_every_picture(client, django_user_model):
    image = photo("无说明.jpg", size=(64, 48))
    page = with_figures(CaseStudyPage.objects.get(slug="hefei-red-property"), [image], alt="  ")
    with pytest.raises(ValidationError, match="正文第 2 块的图片缺少“替代文字”"):
        page.save_revision().publish()
    live = CaseStudyPage.objects.get(pk=page.pk)
    assert not [b for b in live.body if b.block_type == "figure" and b.value["image"]]  # still the one before
    # A draft may still be saved without it.
    assert page.save_revision().pk


def test_a_notice_photo_needs_its_caption_before_publishing():
    from cms.signage.models import NoticePhoto, SignageNoticePage

    notice = SignageNoticePage.objects.live().first()
    image = photo("公示照片.jpg", size=(64, 48))
    notice.photos = [NoticePhoto(image=image, phase="after", caption="")]
    with pytest.raises(ValidationError, match="第 1 张照片缺少“图片说明”"):
        notice.save_revision().publish()
    notice.photos = [NoticePhoto(image=image, phase="after", caption="清理后的社区大门")]
    notice.save_revision().publish()
    assert SignageNoticePage.objects.get(pk=notice.pk).photos.get().caption == "清理后的社区大门"


def test_the_cms_uploads_are_for_editors_at_their_own_address(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    image = photo("上传.jpg", size=(400, 300))
    thumbnail = image.get_rendition("max-165x165").url  # what the admin's image listing shows
    assert thumbnail.startswith("/uploads/") and image.file.url.startswith("/uploads/")
    assert client.get(thumbnail).status_code == 404  # not for residents
    client.force_login(django_user_model.objects.create_superuser("uploads", "u@example.invalid", "pw"))
    response = client.get(thumbnail)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"\xff\xd8"
