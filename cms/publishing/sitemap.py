"""The sitemap: an index (``sitemap.xml``) of small sitemaps (``sitemaps/<n>.xml``), each page's address in the
one its hash picks.

The protocol allows 50,000 addresses a file and a province's site has more; and with one file every page added
or taken down rewrote (and compressed again) the whole list. Here a file holds about PER_FILE addresses, the
number of files doubles as the site grows, and a page added or taken down rewrites the one file it is in.
"""

import zlib
from urllib.parse import quote
from xml.sax.saxutils import escape

from .sitebuild import page_url

PER_FILE = 2000
FOLDER = "sitemaps"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def file_count(total):
    count = 1
    while count * PER_FILE < total:
        count *= 2
    return count


def sitemap_files(site_url, pages, memo):
    """{rel: text, or None when it is as the last build wrote it} of the sitemap index and its files.

    ``pages`` are the site_src paths of every page (``cases/x.md``); ``memo`` (the build cache's) remembers
    the last build's pages, so that only the files whose addresses changed are made again."""
    base = site_url.rstrip("/")
    pages = frozenset(pages)
    count = file_count(len(pages))
    before = memo.stamp if memo.stamp and memo.stamp[:2] == (base, count) else None
    changed = pages ^ before[2] if before else pages
    touched = {zlib.crc32(rel.encode()) % count for rel in changed} if before else set(range(count))
    files = {f"{FOLDER}/{n}.xml": None for n in range(count)}
    if touched:
        groups = {n: [] for n in touched}
        for rel in pages:
            n = zlib.crc32(rel.encode()) % count
            if n in groups:
                groups[n].append(base + quote(page_url(rel)))  # addresses in ASCII, as the protocol asks
        for n, urls in groups.items():
            body = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in sorted(urls))
            files[f"{FOLDER}/{n}.xml"] = f'{HEAD}<urlset xmlns="{NAMESPACE}">\n{body}</urlset>\n'
    listed = "".join(f"<sitemap><loc>{escape(base)}/{FOLDER}/{n}.xml</loc></sitemap>\n" for n in range(count))
    files["sitemap.xml"] = f'{HEAD}<sitemapindex xmlns="{NAMESPACE}">\n{listed}</sitemapindex>\n'
    memo.stamp = (base, count, pages)
    return files
