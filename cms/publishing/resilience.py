"""Long-running processes (the build worker, the scheduler) that outlive a database outage.

A database restart, a failover or a cut network raises OperationalError/InterfaceError in whatever query
runs at that moment. A worker that dies of it needs a supervisor; one that stays alive with a broken
connection (django-tasks-db's worker under the autoreloader did) never builds again. These loops drop
every connection, wait (doubling up to a cap) and carry on once the database answers.
"""

import contextlib
import time

from django.db import InterfaceError, OperationalError, connections

DATABASE_ERRORS = (OperationalError, InterfaceError)


def run_through_outages(step, on_error, on_recovered=None, first_wait=1.0, max_wait=30.0):
    """Call ``step()`` until it returns, surviving database errors; returns what ``step`` returns.

    ``on_error(exc, wait)`` is told of each error before the wait; ``on_recovered()`` runs when the
    database answers again (before ``step`` is called once more), and may itself fail and be retried.
    The wait resets when ``step`` ran longer than ``max_wait`` before failing (a new outage, not the same).
    """
    wait = first_wait
    recovering = False
    while True:
        started = time.monotonic()
        try:
            if recovering and on_recovered is not None:
                on_recovered()
            recovering = False
            return step()
        except DATABASE_ERRORS as exc:
            if time.monotonic() - started > max_wait:
                wait = first_wait
            on_error(exc, wait)
            with contextlib.suppress(*DATABASE_ERRORS):
                connections.close_all()
            time.sleep(wait)
            wait = min(wait * 2, max_wait)
            recovering = True
