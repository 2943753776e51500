"""Work split over processes forked from this one: they share what it holds (a loaded MkDocs project, the
snapshot and the site's lookups) without pickling it, and hand back only their results.

They touch no database: a forked process must not use the connection it shares with its parent.
"""

import multiprocessing


class ForkedError(Exception):
    """A forked process failed: ``messages`` holds what each one that raised said (empty when one died)."""

    def __init__(self, messages):
        super().__init__("\n".join(messages))
        self.messages = messages


def _answer(call, send):
    try:
        send.send(("ok", call()))
    except BaseException as exc:  # handed to the parent, which fails
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def side_by_side(calls, here=None):
    """Each of ``calls`` (functions without arguments) in a forked process of its own, and ``here`` in this
    one meanwhile (it would otherwise wait idle); returns ([their results, in order], what ``here`` returned).

    When ``here`` raises, the forked processes are killed and it is raised; when one of them raises or dies,
    ForkedError says why, once all have ended."""
    ctx = multiprocessing.get_context("fork")
    procs, pipes = [], []
    for call in calls:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_answer, args=(call, send))
        proc.start()
        send.close()
        procs.append(proc)
        pipes.append(receive)
    try:
        mine = here() if here is not None else None
        answers = []
        for receive in pipes:
            try:
                answers.append(receive.recv())
            except EOFError:  # it died before answering
                answers.append(("error", None))
    except BaseException:
        for proc in procs:
            proc.kill()
        raise
    finally:
        for proc in procs:
            proc.join()
        for receive in pipes:
            receive.close()
    if any(status != "ok" for status, _result in answers) or any(proc.exitcode for proc in procs):
        raise ForkedError([result for status, result in answers if status != "ok" and result])
    return [result for _status, result in answers], mine
