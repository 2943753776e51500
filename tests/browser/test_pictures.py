"""A case page's pictures on a 360-pixel phone, in Chromium against the project's own server: the browser
picks the 360-pixel WebP renditions (marked to load lazily), and the page's pictures together stay
under 150 KB (a wide screen with a dense display takes the larger ones)."""

import pytest

from django.test import override_settings

from cms.cases.models import CaseStudyPage
from cms.publishing.build import build_site

from ..publishing.test_renditions import photo, with_figures
from ..support.appserver import serve_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def image_bytes(page, url):
    """{picture URL: bytes on the wire} of what the page loaded once scrolled to the bottom."""
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))
    page.goto(url)
    for _ in range(12):
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(150)
    page.wait_for_load_state("networkidle")
    return {r.url: r.sizes()["responseBodySize"] for r in seen if "/media/" in r.url}


def test_a_case_page_s_pictures_on_a_phone_are_small_renditions(browser, site_dirs):
    images = [photo(f"现场{n}.jpg", seed=n) for n in range(4)]
    case = with_figures(CaseStudyPage.objects.get(slug="hefei-red-property"), images)
    case.save_revision().publish()
    build_site()
    with override_settings(SITE_OUTPUT_DIR=site_dirs[1]), serve_app() as (url, _recorder):
        phone = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1).new_page()
        loaded = image_bytes(phone, url + "/cases/hefei-red-property/")
        assert len(loaded) == 4 and all(u.endswith("-w360.webp") for u in loaded), loaded
        assert sum(loaded.values()) <= 150 * 1024, loaded
        chosen = phone.eval_on_selector_all("figure img", "els => els.map(e => [e.currentSrc, e.alt, e.loading])")
        assert all(src.endswith("-w360.webp") and alt and lazy == "lazy" for src, alt, lazy in chosen)
        wide = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2).new_page()
        assert all(
            u.endswith(("-w1080.webp", "-w720.webp")) for u in image_bytes(wide, url + "/cases/hefei-red-property/")
        )
