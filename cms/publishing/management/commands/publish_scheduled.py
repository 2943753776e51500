"""Wagtail's ``publish_scheduled``, one page at a time: a page that may not go out (personal data not masked,
a value the site refuses) is named and left scheduled, and every other page still goes live or expires.

Wagtail's own command stops at the first exception, which would hold back every page scheduled after it, on
every run. A database outage still propagates, so ``run_scheduler`` waits for the database and retries."""

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from wagtail.management.commands.publish_scheduled import Command as WagtailCommand
from wagtail.models import Page, Revision

logger = logging.getLogger("cms.publishing")


class Command(WagtailCommand):
    help = "执行定时发布和到期下线；某一页不能发布时写明原因并继续处理其余页面"

    def handle(self, *args, **options):
        if options["dryrun"]:
            return super().handle(*args, **options)
        refused = 0
        for page in list(Page.objects.filter(live=True, expire_at__lt=timezone.now()).order_by("expire_at")):
            refused += self.one(
                page, lambda p=page: p.specific.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
            )
        revisions = Revision.objects.filter(approved_go_live_at__lt=timezone.now()).order_by("approved_go_live_at")
        for revision in list(revisions):
            refused += self.one(revision, lambda r=revision: r.publish(log_action="wagtail.publish.scheduled"))
        if refused:
            self.stderr.write(f"定时发布：{refused} 项未能执行，已保留排期，其余已处理。")

    def one(self, item, action):
        """Run one page's action in its own transaction; 1 when it was refused, else 0."""
        try:
            with transaction.atomic():
                action()
        except DatabaseError:
            raise
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.stderr.write(
                f"定时发布“{item.object_str if isinstance(item, Revision) else item.title}”未执行：{message}"
            )
            logger.warning("scheduled action refused for %r: %s", item, message)
            return 1
        except Exception:
            logger.exception("scheduled action failed for %r", item)
            self.stderr.write(f"定时发布“{item}”出错，已跳过，详见日志。")
            return 1
        return 0
