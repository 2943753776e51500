"""Feeds of new cases and updated lists: RSS 2.0, Atom and JSON Feed, from the same public snapshot.

Dates come from the content (a case's source date, a list's publication date), not from the database,
so a site restored from a backup publishes the same feeds.
"""

import datetime
import json
from xml.sax.saxutils import escape, quoteattr

from .escape import clean

FEED_SIZE = 50
TZ = datetime.timezone(datetime.timedelta(hours=8))  # China Standard Time


def _text(value):
    return " ".join(clean(value).split())


def feed_entries(site):
    """(date, kind, title, url, summary) of the newest cases and current lists, newest first."""
    entries = []
    for entry in site.snap.cases:
        meta = entry["meta"]
        date = meta.get("source", {}).get("date")
        entries.append((date, "经验案例", meta["title"], site.page_url("case", meta["slug"]), meta.get("summary", "")))
    for entry in site.snap.lists:
        meta = entry["meta"]
        disclosure = meta.get("disclosure", {})
        date = disclosure.get("date_published") or disclosure.get("valid_from")
        status = "" if site.is_current(entry) else "（已被替代）"
        summary = f"{meta.get('version_label', '')} 共 {len(meta.get('items', []))} 项{status}".strip()
        entries.append((date, "清单", meta["title"], site.page_url("list", meta["slug"]), summary))
    entries.sort(key=lambda e: (e[0] is not None, e[0] or datetime.date.min, e[3]), reverse=True)
    return entries[:FEED_SIZE]


def _stamp(date):
    date = date or datetime.date(2000, 1, 1)
    return datetime.datetime(date.year, date.month, date.day, tzinfo=TZ)


def render_feeds(site, title, description):
    """{file name: text} for feed.xml (RSS), atom.xml and feed.json at the site root."""
    entries = feed_entries(site)
    home = site.site_url
    updated = _stamp(max((e[0] for e in entries if e[0]), default=None))
    title, description = _text(title), _text(description)

    rss = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{escape(title)}</title>",
        f"<link>{escape(home)}</link>",
        f"<description>{escape(description)}</description>",
        "<language>zh-cn</language>",
        f'<atom:link href={quoteattr(home + "feed.xml")} rel="self" type="application/rss+xml"/>',
        f"<lastBuildDate>{updated.strftime('%a, %d %b %Y %H:%M:%S %z')}</lastBuildDate>",
    ]
    for date, kind, item_title, url, summary in entries:
        rss += [
            "<item>",
            f"<title>{escape(_text(item_title))}</title>",
            f"<link>{escape(url)}</link>",
            f'<guid isPermaLink="true">{escape(url)}</guid>',
            f"<category>{escape(kind)}</category>",
            f"<description>{escape(_text(summary))}</description>",
            f"<pubDate>{_stamp(date).strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>",
            "</item>",
        ]
    rss += ["</channel>", "</rss>", ""]

    atom = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<title>{escape(title)}</title>",
        f"<subtitle>{escape(description)}</subtitle>",
        f"<id>{escape(home)}</id>",
        f"<link href={quoteattr(home)}/>",
        f'<link rel="self" href={quoteattr(home + "atom.xml")}/>',
        f"<updated>{updated.isoformat()}</updated>",
        f"<author><name>{escape(title)}</name></author>",
    ]
    for date, kind, item_title, url, summary in entries:
        atom += [
            "<entry>",
            f"<title>{escape(_text(item_title))}</title>",
            f"<id>{escape(url)}</id>",
            f"<link href={quoteattr(url)}/>",
            f"<category term={quoteattr(kind)}/>",
            f"<updated>{_stamp(date).isoformat()}</updated>",
            f"<summary>{escape(_text(summary))}</summary>",
            "</entry>",
        ]
    atom += ["</feed>", ""]

    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "description": description,
        "home_page_url": home,
        "feed_url": home + "feed.json",
        "language": "zh-CN",
        "items": [
            {
                "id": url,
                "url": url,
                "title": _text(item_title),
                "summary": _text(summary),
                "content_text": _text(summary),
                "date_published": _stamp(date).isoformat(),
                "tags": [kind],
            }
            for date, kind, item_title, url, summary in entries
        ],
    }
    robots = f"User-agent: *\nAllow: /\nSitemap: {home}sitemap.xml\n"
    return {
        "feed.xml": "\n".join(rss),
        "atom.xml": "\n".join(atom),
        "feed.json": json.dumps(data, ensure_ascii=False, indent=1) + "\n",
        "robots.txt": robots,
    }
