"""Display periods (公示期): when a notice or a draft list is shown for comment, and what that means today.

Importable without the models: the renderer and the scheduler both ask it. ``today`` is the date in China
(``settings.TIME_ZONE``), or ``settings.JICENG_TODAY`` when a test or a preview pins it.
"""

import datetime

from django.conf import settings
from django.utils import timezone

STATES = {"upcoming": "即将公示", "running": "公示中", "ended": "公示已结束"}


def today():
    pinned = getattr(settings, "JICENG_TODAY", None)
    if pinned:
        return pinned if isinstance(pinned, datetime.date) else datetime.date.fromisoformat(str(pinned))
    return timezone.localdate()


def state(period, on):
    """ "upcoming", "running" or "ended" for a period {start, end} on a day, or None without a period."""
    start, end = (period or {}).get("start"), (period or {}).get("end")
    if not start and not end:
        return None
    if start and on < start:
        return "upcoming"
    if end and on > end:
        return "ended"
    return "running"


def label(period, on):
    found = state(period, on)
    return STATES[found] if found else ""


def span(period):
    """公示期 as text: 2024-05-20 至 2024-05-27 (an open end says so)."""
    start, end = (period or {}).get("start"), (period or {}).get("end")
    return f"{start or '—'} 至 {end or '（未定）'}"


def boundaries(period):
    """The days the state changes: the start, and the day after the end."""
    out = []
    if period.get("start"):
        out.append(period["start"])
    if period.get("end"):
        out.append(period["end"] + datetime.timedelta(days=1))
    return out
