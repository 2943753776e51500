"""Which pages are public, read from the database: every row's key, or only the rows changed since the
last export (``changed_rows``). Only live pages without view restrictions, under live ancestors, count.
"""

import bisect
import functools
import operator
from dataclasses import dataclass

from django.db import connections
from django.db.models import CharField, Count, Max, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, Length, Ord

from wagtail.models import Page, PageViewRestriction

# Fields of a page row that change whenever its published content may have changed.
CACHE_KEY_FIELDS = ("live_revision_id", "last_published_at", "latest_revision_id", "title", "slug", "url_path")


def fetch(queryset):
    """A values_list query's rows straight from the database cursor (without Django's step per row: at
    100,000 pages that step took more than half the time of reading which pages are public)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def row_key():
    """The cache key fields of a page row as one text, joined by the database (one value to read per row)."""
    parts = []
    for name in CACHE_KEY_FIELDS:
        parts += [Value("\x1f"), Cast(name, CharField())] if parts else [Cast(name, CharField())]
    return Concat(*parts, output_field=CharField())


def hidden_paths():
    """Paths no public page lies under: pages not live that have pages below them, and pages with view
    restrictions (a page not live without children hides nothing but itself, which ``live()`` leaves out)."""
    hidden = list(Page.objects.filter(live=False, numchild__gt=0).values_list("path", flat=True))
    hidden += list(PageViewRestriction.objects.values_list("page__path", flat=True))
    return tuple(hidden)  # str.startswith takes them all at once


def public_rows(model, hidden=None):
    """(slug, pk, cache key) of live pages without view restrictions whose ancestors are all live, by slug.

    ``hidden``: the export's ``hidden_paths()`` (read once for every kind)."""
    hidden = hidden_paths() if hidden is None else hidden
    # Sorted by the database (then sorting in Python, in code point order whatever the collation, is one pass).
    query = model.objects.live().public().annotate(jc_key=row_key()).order_by("slug")
    if hidden:
        rows = fetch(query.values_list("slug", "pk", "jc_key", "path"))
        rows = [row[:3] for row in rows if not row[3].startswith(hidden)]
    else:  # (the common case: no page's path needs reading)
        rows = fetch(query.values_list("slug", "pk", "jc_key"))
    rows.sort()  # by slug (unique within a kind)
    return rows


# --- reading only the rows that changed ---------------------------------------------------------------
#
# Reading every public row's key costs a step per page (0.2–0.4 s at 100,000 pages, most of an edit's export).
# The database can tell more cheaply what changed: every publish and every new draft gives a page a revision
# with a higher id (and publishing sets last_published_at), so the rows changed since the last export are those
# above its highest marks. What that misses (a page unpublished, deleted, restricted or moved out, a revision
# published again) changes the rows' totals — count, sums of ids and revision ids, lengths of title, slug and
# path —, which the database sums without handing over a row: when the rows kept, updated by those read,
# do not add up to the totals the database gives, every row is read again, as before.


@dataclass
class RowsSeen:
    """The database's marks and totals for a kind's public rows, as the last export read them."""

    hidden: tuple  # the hidden paths then (when they change, every row is read again)
    live: int  # highest live_revision_id
    latest: int  # highest latest_revision_id
    published: object  # latest last_published_at
    totals: tuple  # row_totals of the rows kept


def row_totals(rows):
    """(count, sum of pks, of live and latest revision ids, of the lengths of title, slug and url_path, of
    the code points of titles' first characters) of rows (slug, pk, key): as ``database_totals`` sums them.
    None when a key cannot be read so (then every row is read again)."""
    totals = [0] * 6
    for _slug, pk, key in rows:
        parts = key.split("\x1f")
        if len(parts) != len(CACHE_KEY_FIELDS):
            return None
        live, _published, latest, title, slug, url_path = parts
        for n, value in enumerate(
            (1, pk, int(live or 0), int(latest or 0), len(title) + len(slug) + len(url_path), ord(title[:1] or "\0"))
        ):
            totals[n] += value
    return tuple(totals)


def database_totals(query):
    """The public rows' marks and totals, summed by the database: ((live, latest, published), totals)."""
    found = query.aggregate(
        count=Count("pk"),
        pks=Coalesce(Sum("pk"), 0),
        live=Coalesce(Sum("live_revision_id"), 0),
        latest=Coalesce(Sum("latest_revision_id"), 0),
        text=Coalesce(Sum(Length("title") + Length("slug") + Length("url_path")), 0),
        first=Coalesce(Sum(Ord("title")), 0),
        live_max=Max("live_revision_id"),
        latest_max=Max("latest_revision_id"),
        published_max=Max("last_published_at"),
    )
    marks = (found["live_max"] or 0, found["latest_max"] or 0, found["published_max"])
    totals = tuple(found[name] for name in ("count", "pks", "live", "latest", "text", "first"))
    return marks, totals


def changed_rows(model, hidden, before):
    """(rows, RowsSeen) like ``public_rows``: the rows of the last export updated by those changed since, when
    they add up to what the database holds; else every row read again."""
    query = model.objects.live().public()
    if hidden:  # (what public_rows leaves out by their paths, left out by the database here)
        query = query.exclude(functools.reduce(operator.or_, (Q(path__startswith=path) for path in hidden)))
    marks, totals = database_totals(query)
    seen = getattr(before, "seen", None)  # (a cache saved by older code has none)
    if seen is not None and seen.hidden == hidden and seen.published is not None:
        since = Q(live_revision_id__gt=seen.live) | Q(latest_revision_id__gt=seen.latest)
        since |= Q(last_published_at__gt=seen.published)
        changed = fetch(query.filter(since).annotate(jc_key=row_key()).values_list("slug", "pk", "jc_key"))
        rows, gone = list(before.rows), []
        for row in changed:
            url = before.urls.get(row[1])
            if url is not None:  # its last version goes (found by its slug: the rows are in slug order)
                slug = url.rstrip("/").rsplit("/", 1)[1]
                at = bisect.bisect_left(rows, (slug,))
                if at < len(rows) and rows[at][:2] == (slug, row[1]):
                    gone.append(rows.pop(at))
        for row in changed:
            bisect.insort(rows, row)
        taken, added = row_totals(gone), row_totals(changed)
        if taken is not None and added is not None:
            expected = tuple(e - t + a for e, t, a in zip(seen.totals, taken, added, strict=True))
            if expected == totals and len({row[0] for row in changed}) == len(changed):
                return rows, RowsSeen(hidden, *marks, totals)
    rows = public_rows(model, hidden)
    return rows, RowsSeen(hidden, *marks, totals)
