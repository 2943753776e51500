"""django-tasks-db's task worker (site builds), made to survive database outages.

Same command, same options as the library's ``db_worker`` (this app comes first in INSTALLED_APPS, so
Django runs this one). The library's loop raises on the first database error: without the autoreloader the
process exits, with it (DEBUG) it stays alive and never polls again. Here the loop drops its connections,
waits and resumes; when the database is back it first re-queues any build the outage interrupted.
"""

from django_tasks_db.management.commands import db_worker

from cms.publishing.resilience import run_through_outages


class ResilientWorker(db_worker.Worker):
    """The library's worker loop, restarted after a database error instead of dying of it."""

    def __init__(self, *, say, **kwargs):
        super().__init__(**kwargs)
        self.say = say

    def run(self):
        from cms.publishing.tasks import recover_interrupted_builds

        def recovered():
            for build in recover_interrupted_builds():
                self.say(f"构建 #{build.pk} 因数据库中断未完成，已重新排队。")
            self.say("数据库已恢复，继续处理构建任务。")

        def failed(exc, wait):
            self.say(f"数据库不可用（{type(exc).__name__}: {str(exc).strip()[:200]}），{wait:.0f} 秒后重试…")

        return run_through_outages(super().run, on_error=failed, on_recovered=recovered)


class Command(db_worker.Command):
    help = "运行后台任务 worker（网站构建与其他后台任务）；数据库中断时自动等待并重连"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # One worker takes every queue unless told otherwise; `make run` starts one for site builds and one
        # for everything else, so a build never waits behind a burst of search-index tasks.
        parser.set_defaults(queue_name="*")

    def handle(self, *args, **options):
        # The library builds its Worker inside handle(); swap in ours for that call.
        original = db_worker.Worker
        db_worker.Worker = lambda **kwargs: ResilientWorker(say=self.stderr.write, **kwargs)
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
