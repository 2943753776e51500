"""Feeds of new cases, updated lists and notices: RSS 2.0 and Atom (Django's ``feedgenerator``) and JSON
Feed, from the same public snapshot. Each item names its publishing organisation (the author) and the
organisation that approved it; never a person.

Dates come from the content (a case's source date, a list's publication date, a notice's date), not from
the database, so a site restored from a backup publishes the same feeds.
"""

import datetime
import heapq
import json

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .escape import clean
from .markdown import approval_pairs

FEED_SIZE = 50
TZ = datetime.timezone(datetime.timedelta(hours=8))  # China Standard Time
FEED_FILES = ("feed.xml", "atom.xml", "feed.json", "robots.txt")


def _text(value):
    return " ".join(clean(value).split())


def _stamp(date):
    date = date or datetime.date(2000, 1, 1)
    return datetime.datetime(date.year, date.month, date.day, tzinfo=TZ)


def _approval(entry):
    """(publishing organisation, the summary with who published and approved it): never a person."""
    found = entry.get("disclosure") or {}
    notes = "；".join(f"{label}：{_text(value)}" for label, value in approval_pairs(found))
    summary = "　".join(part for part in (_text(entry["summary"]), notes) if part)
    return _text(found.get("publisher", "")) or None, summary


def rank(date, url):
    """Where a feed item stands (the larger, the newer)."""
    return (date is not None, date or datetime.date.min, url)


def newest(entries):
    """Feed entries ({date, category, title, url, summary, disclosure}) newest first, at most FEED_SIZE."""
    return heapq.nlargest(FEED_SIZE, entries, key=lambda e: rank(e["date"], e["url"]))


def render_feeds(entries, home, title, description):
    """{file name: text} for feed.xml (RSS), atom.xml, feed.json and robots.txt at the site root."""
    title, description = _text(title), _text(description)
    updated = _stamp(max((e["date"] for e in entries if e["date"]), default=None))
    files = {}
    for name, feed_class in (("feed.xml", Rss201rev2Feed), ("atom.xml", Atom1Feed)):
        feed = feed_class(
            title=title,
            link=home,
            description=description,
            subtitle=description,
            language="zh-CN",
            feed_url=home + name,
            author_name=title,
            feed_guid=home,
        )
        for entry in entries:
            author, summary = _approval(entry)
            feed.add_item(
                title=_text(entry["title"]),
                link=entry["url"],
                description=summary,
                author_name=author,
                unique_id=entry["url"],
                unique_id_is_permalink=True,
                pubdate=_stamp(entry["date"]),
                updateddate=_stamp(entry["date"]),
                categories=[entry["category"]],
            )
        # The feed's own date is the newest entry's, never the time of the build (a restore builds the same).
        feed.latest_post_date = lambda updated=updated: updated
        files[name] = feed.writeString("utf-8") + "\n"
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "description": description,
        "home_page_url": home,
        "feed_url": home + "feed.json",
        "language": "zh-CN",
        "items": [json_item(entry) for entry in entries],
    }
    files["feed.json"] = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    files["robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {home}sitemap.xml\n"
    return files


def json_item(entry):
    author, summary = _approval(entry)
    item = {
        "id": entry["url"],
        "url": entry["url"],
        "title": _text(entry["title"]),
        "summary": summary,
        "content_text": summary,
        "date_published": _stamp(entry["date"]).isoformat(),
        "tags": [entry["category"]],
    }
    if author:
        item["authors"] = [{"name": author}]
    return item
