"""Every change that shows on the public site asks for a build."""

from django.db.models.signals import post_delete, post_save

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from cms.core.kinds import for_model
from cms.core.models import Region

from .tasks import request_build


def on_published(sender, instance, revision=None, **kwargs):
    request_build(f"发布：{instance.title}", user=getattr(revision, "user", None))


def on_unpublished(sender, instance, **kwargs):
    # Wagtail also unpublishes a live page before deleting it (one by one or in bulk): this covers deletes.
    request_build(f"撤销发布：{instance.title}")


def on_moved(sender, instance, **kwargs):
    if instance.live:
        request_build(f"移动：{instance.title}")


def on_slug_changed(sender, instance, instance_before, **kwargs):
    """Keep a published page's old address: it forwards to the new one on the site (Wagtail's own
    redirect recording needs Wagtail to serve pages, which this headless CMS does not)."""
    from wagtail.contrib.redirects.models import Redirect

    kind = for_model(instance)
    if kind is None or not kind.item or not instance_before.live:
        return
    section = kind.folder
    old_path = Redirect.normalise_path(f"/{section}/{instance_before.slug}/")
    Redirect.objects.filter(old_path=f"/{section}/{instance.slug}").delete()  # the new address is live again
    Redirect.objects.update_or_create(
        old_path=old_path, site=None, defaults={"redirect_page": instance, "automatically_created": True}
    )


def on_region_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures or a database dump: the loader decides about builds
        return
    request_build(f"地区变更：{instance.name}")


def on_privacy_changed(sender, instance, raw=False, **kwargs):
    """A page (and everything below it) made private must leave the site; made public again, return."""
    if raw:
        return
    page = Page.objects.filter(pk=instance.page_id, live=True).first()  # gone already in a cascade delete
    if page is not None:
        request_build(f"访问权限变更：{page.title}")


def connect():
    page_published.connect(on_published, dispatch_uid="jiceng-build-published")
    page_unpublished.connect(on_unpublished, dispatch_uid="jiceng-build-unpublished")
    post_page_move.connect(on_moved, dispatch_uid="jiceng-build-moved")
    page_slug_changed.connect(on_slug_changed, dispatch_uid="jiceng-redirect-slug-changed")
    post_save.connect(on_region_changed, sender=Region, dispatch_uid="jiceng-build-region-saved")
    post_delete.connect(on_region_changed, sender=Region, dispatch_uid="jiceng-build-region-deleted")
    post_save.connect(on_privacy_changed, sender=PageViewRestriction, dispatch_uid="jiceng-build-privacy-saved")
    post_delete.connect(on_privacy_changed, sender=PageViewRestriction, dispatch_uid="jiceng-build-privacy-deleted")
