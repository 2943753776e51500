"""Helpers for exposing our models through Wagtail's v3 API."""

from wagtail.api import APIField


def writable(*names):
    """APIFields that tools may read and (with a token carrying the user's rights) write."""
    return [APIField(name, writable=True) for name in names]


def read_only(*names):
    """APIFields that tools may read but never write (what review records: who approved, and when)."""
    return [APIField(name) for name in names]
