"""The project's own server in a thread: Django's WSGI handler behind the same threaded server that
``manage.py runserver`` (``make run``) uses, so a browser receives exactly the bytes and headers residents
get — the public site from the middleware, its compressed copies, cache headers and the Chinese 404.

Shared by the browser tests and the benchmark; every request the server answers is recorded.
"""

import contextlib
import threading

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class SharingServer(ThreadedWSGIServer):
    """Closes a request thread's own database connections, never the test's shared one (a request thread
    may still be finishing a kept-alive connection after the test has stopped sharing it)."""

    def _close_connections(self):
        for connection in connections.all(initialized_only=True):
            if connection.alias not in (self.connections_override or {}):
                connection.close()


class Recorder:
    """The WSGI app, noting each request's method, path and status (``server.requests``)."""

    def __init__(self, app):
        self.app, self.requests, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        def record(status, headers, exc_info=None):
            with self.lock:
                self.requests.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), int(status[:3])))
            return start_response(status, headers, exc_info)

        return self.app(environ, record)

    def clear(self):
        with self.lock:
            self.requests.clear()


@contextlib.contextmanager
def serve_app():
    """Serve the Django project on a free loopback port; yields (base URL, recorder).

    Settings (``SITE_OUTPUT_DIR`` and the rest) are read when the handler is made, that is here: override
    them around this call."""
    # An in-memory SQLite test database is shared with the server's threads, as Django's LiveServerTestCase
    # does: they see what the test wrote, inside its transaction.
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    # As ``runserver`` does for `make run`: the admin's own static files come from the apps' folders.
    recorder = Recorder(StaticFilesHandler(WSGIHandler()))
    server = SharingServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False, connections_override=shared)
    server.set_app(recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()
        for connection in shared.values():
            connection.dec_thread_sharing()
