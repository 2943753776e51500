"""Body paragraphs as rich text: bold, italic, links (to pages, documents and outside addresses) and lists.

One small tree stands between three forms, so that nothing else can pass from one to another:

- Wagtail's stored HTML (``<p>``, ``<b>``, ``<i>``, ``<a linktype="page" id="3">``, ``<a linktype="document"
  id="5">``, ``<a href>``, ``<ul>``/``<ol>``/``<li>``): read by an allowlist (any other tag gives only its
  text) and written back the same way;
- the portable Markdown of ``content/`` (one line per paragraph, ``- `` and ``1. `` list items, ``**bold**``,
  ``*italic*``, ``[text](target)``; ``\\`` escapes): a page is named by its permanent ``id:<uuid>`` (so a link
  follows the page when its slug changes), a document by its file ``annexes/<sha1>.<ext>``;
- the site's Markdown (``cms/publishing/markdown.py``), where every piece of text is inert and a link goes
  only to a public page of the site, a document the site carries, or an ``http(s)``/``mailto`` address.

Tree: a list of blocks ``("p", runs)`` or ``("ul"|"ol", [runs, …])``; runs are ``("text", str)``,
``("b", runs)``, ``("i", runs)`` and ``("a", (kind, ref), runs)`` with kind ``url``, ``page`` or ``doc``.
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit

PAGE_PREFIX = "id:"
DOC_PREFIX = "annexes/"
URL_SCHEMES = ("http", "https", "mailto")

# --- Wagtail's stored HTML ---------------------------------------------------------------------------


class _Reader(HTMLParser):
    MARKS = {"b": "b", "strong": "b", "i": "i", "em": "i"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.stack = None  # runs being filled: a list, with its parents above it
        self.parents = []
        self.list_kind = None
        self.skip = 0  # inside <script>/<style>: nothing of it is text

    def _runs(self):
        if self.stack is None:  # text outside any paragraph starts one
            self.stack, self.parents = [], []
            self.blocks.append(("p", self.stack))
        return self.stack

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div"):
            self._close_block()
            self.stack, self.parents = [], []
            self.blocks.append(("p", self.stack))
        elif tag in ("ul", "ol"):
            self._close_block()
            self.list_kind = tag
            self.blocks.append((tag, []))
        elif tag == "li":
            if self.list_kind is None:
                self.list_kind = "ul"
                self.blocks.append(("ul", []))
            self.stack, self.parents = [], []
            self.blocks[-1][1].append(self.stack)
        elif tag in self.MARKS or tag == "a":
            runs = self._runs()
            node = ("a", _target(attrs), []) if tag == "a" else (self.MARKS[tag], [])
            runs.append(node)
            self.parents.append(self.stack)
            self.stack = node[-1]
        elif tag == "br":
            self._runs().append(("text", " "))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.MARKS or tag == "a":
            if self.parents:
                self.stack = self.parents.pop()
        elif tag in ("ul", "ol"):
            self.list_kind = None
            self.stack, self.parents = None, []
        elif tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div"):
            self.stack, self.parents = None, []

    def _close_block(self):
        self.stack, self.parents, self.list_kind = None, [], None

    def handle_data(self, data):
        if not self.skip and data:
            if self.stack is None and not data.strip():
                return  # whitespace between blocks
            self._runs().append(("text", data))


def _target(attrs):
    kind = attrs.get("linktype")
    if kind == "page" and str(attrs.get("id", "")).isdigit():
        return ("page", int(attrs["id"]))
    if kind == "document" and str(attrs.get("id", "")).isdigit():
        return ("doc", int(attrs["id"]))
    return ("url", attrs.get("href") or "")


def from_html(source):
    """The tree of a stored rich text value (or of any HTML: what is not allowed gives its text only)."""
    reader = _Reader()
    reader.feed(str(source or ""))
    reader.close()
    return _tidy(reader.blocks)


def _tidy(blocks):
    """Whitespace folded, empty runs and blocks dropped: one value, one tree."""
    tidy = []
    for kind, content in blocks:
        if kind == "p":
            runs = _strip(_tidy_runs(content))
            if runs:
                tidy.append(("p", runs))
        else:
            items = [_strip(_tidy_runs(item)) for item in content]
            items = [item for item in items if item]
            if items:
                tidy.append((kind, items))
    return tidy


# The walks over runs are module functions, not closures: a closure that calls itself is a reference cycle,
# left for the cycle collector on every call (a full build made ~400,000 such objects at 10,000 pages).


def _tidy_runs(runs):
    out = []
    for run in runs:
        if run[0] == "text":
            text = re.sub(r"\s+", " ", run[1])
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + text)
            elif text:
                out.append(("text", text))
        else:
            children = _tidy_runs(run[-1])
            if plain_runs(children).strip():
                out.append((*run[:-1], children))
    return out


def _strip(runs):
    if runs and runs[0][0] == "text":
        runs[0] = ("text", runs[0][1].lstrip())
    if runs and runs[-1][0] == "text":
        runs[-1] = ("text", runs[-1][1].rstrip())
    return [r for r in runs if r != ("text", "")]


def to_html(blocks):
    """Stored HTML of a tree (links by Wagtail's page and document ids)."""
    parts = []
    for kind, content in blocks:
        if kind == "p":
            parts.append(f"<p>{_runs_html(content)}</p>")
        else:
            parts.append(f"<{kind}>" + "".join(f"<li>{_runs_html(item)}</li>" for item in content) + f"</{kind}>")
    return "".join(parts)


def _runs_html(runs):
    out = []
    for run in runs:
        if run[0] == "text":
            out.append(html.escape(run[1], quote=False))
        elif run[0] in ("b", "i"):
            out.append(f"<{run[0]}>{_runs_html(run[1])}</{run[0]}>")
        else:
            (kind, ref), inner = run[1], _runs_html(run[2])
            if kind == "page":
                out.append(f'<a linktype="page" id="{int(ref)}">{inner}</a>')
            elif kind == "doc":
                out.append(f'<a linktype="document" id="{int(ref)}">{inner}</a>')
            elif safe_href(ref):
                out.append(f'<a href="{html.escape(ref)}">{inner}</a>')
            else:
                out.append(inner)
    return "".join(out)


def safe_href(url):
    """An outside address a link may go to: http(s) with a host, or mailto."""
    try:
        parts = urlsplit(str(url or "").strip())
    except ValueError:
        return False
    if parts.scheme == "mailto":
        return bool(parts.path)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --- the portable Markdown -------------------------------------------------------------------------

_ITEM = re.compile(r"^(- |(\d+)\. )")
_PAGE_FILE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9-]*\.md$")
_TO_ESCAPE = re.compile(r"([\\*\[\]])")
_SPECIAL = re.compile(r"[\\*\[]")  # where _inline has something to look at; the text between is plain


def _escape_text(text):
    return _TO_ESCAPE.sub(r"\\\1", text) if _TO_ESCAPE.search(text) else text


def to_portable(blocks, page_ref, doc_ref):
    """Portable Markdown of a tree whose links hold Wagtail ids; ``page_ref(id)`` and ``doc_ref(id)`` give
    the portable target (or None: the link's text stays, the link goes)."""
    lines = []
    for kind, content in blocks:
        if kind == "p":
            line = _runs_portable(content, page_ref, doc_ref)
            # A paragraph that would read as something else (a list item, a heading, a quote, a picture).
            if _ITEM.match(line) or line[:1] in ("#", ">", "!"):
                line = "\\" + line if not line[:1].isdigit() else re.sub(r"^(\d+)\.", r"\1\\.", line)
            lines.append(line)
        else:
            for n, item in enumerate(content, start=1):
                lines.append(("- " if kind == "ul" else f"{n}. ") + _runs_portable(item, page_ref, doc_ref))
    return "\n".join(lines)


def _runs_portable(runs, page_ref, doc_ref):
    out = []
    for run in runs:
        if run[0] == "text":
            out.append(_escape_text(run[1]))
        elif run[0] == "b":
            out.append(f"**{_runs_portable(run[1], page_ref, doc_ref)}**")
        elif run[0] == "i":
            out.append(f"*{_runs_portable(run[1], page_ref, doc_ref)}*")
        else:
            (kind, ref), inner = run[1], _runs_portable(run[2], page_ref, doc_ref)
            target = page_ref(ref) if kind == "page" else doc_ref(ref) if kind == "doc" else ref
            if kind == "url" and not safe_href(ref):
                target = None
            out.append(f"[{inner}]({href(target)})" if target else inner)
    return "".join(out)


def href(target):
    # Spaces and brackets would end the link early: percent-encode them (the address stays the same).
    return quote(target, safe=":/?#@!$&'*+,;=%-._~")


def from_portable(text):
    """The tree of a portable paragraph (links with portable targets)."""
    blocks = []
    for line in str(text or "").split("\n"):
        if not line.strip():
            continue
        match = _ITEM.match(line)
        if match:
            kind = "ul" if match.group(1) == "- " else "ol"
            if not blocks or blocks[-1][0] != kind:
                blocks.append((kind, []))
            blocks[-1][1].append(_inline(line[match.end() :]))
        else:
            blocks.append(("p", _inline(line)))
    return _tidy(blocks)


def _inline(text):
    """Runs of one line: ``\\`` escapes, ``**``, ``*`` and ``[text](target)``; what is unmatched is text."""
    runs, i, buf = [], 0, []

    def flush():
        if buf:
            runs.append(("text", "".join(buf)))
            buf.clear()

    while i < len(text):
        special = _SPECIAL.search(text, i)
        if special is None:
            buf.append(text[i:])
            break
        if special.start() > i:
            buf.append(text[i : special.start()])
            i = special.start()
        c = text[i]
        if c == "\\" and i + 1 < len(text) and not text[i + 1].isalnum():
            buf.append(text[i + 1])
            i += 2
            continue
        if c == "*":
            mark = "**" if text.startswith("**", i) else "*"
            end = _closing(text, mark, i + len(mark))
            if end is not None:
                flush()
                runs.append(("b" if mark == "**" else "i", _inline(text[i + len(mark) : end])))
                i = end + len(mark)
                continue
        elif c == "[":
            close = _closing(text, "]", i + 1)
            if close is not None and text.startswith("(", close + 1):
                stop = text.find(")", close + 2)
                target = text[close + 2 : stop] if stop != -1 else ""
                if stop != -1 and target and " " not in target:
                    flush()
                    runs.append(("a", _portable_target(target), _inline(text[i + 1 : close])))
                    i = stop + 1
                    continue
        buf.append(c)
        i += 1
    flush()
    return runs


def _closing(text, marker, start):
    """Where ``marker`` closes what opened before ``start`` (skipping escapes and a bold's double star), or
    None; an empty span does not count."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(marker, i) and i > start:
            if marker == "*" and text.startswith("**", i):
                inner = _closing(text, "**", i + 2)
                if inner is None:
                    return None
                i = inner + 2
                continue
            return i
        if marker == "]" and text[i] == "[":
            return None
        i += 1
    return None


def _portable_target(target):
    target = unquote(target)
    if target.startswith(PAGE_PREFIX):
        return ("page", target)  # id:<uuid>, as written
    if target.startswith(DOC_PREFIX):
        return ("doc", target)
    if _PAGE_FILE.match(target):  # written by hand: cases/<slug>.md (a dump writes the id)
        return ("page", target)
    return ("url", target)


def lines_of(blocks):
    """The runs of each line of a tree: a paragraph, or one list item."""
    for kind, content in blocks:
        yield from [content] if kind == "p" else content


def tree_text(blocks):
    """The readable text of a tree, a line for each paragraph or list item."""
    return "\n".join(plain_runs(runs) for runs in lines_of(blocks))


def plain(text):
    """The readable text of a portable paragraph (for search and summaries)."""
    return tree_text(from_portable(text))


def plain_runs(runs):
    return "".join(run[1] if run[0] == "text" else plain_runs(run[-1]) for run in runs)


def canonical(text):
    """A portable paragraph as this module writes it (so what is read is what a dump writes back)."""
    return to_portable(from_portable(text), _same, _same)


def _same(ref):
    return ref if isinstance(ref, str) else None


def map_links(blocks, fn):
    """The tree with each link's (kind, ref) replaced by ``fn(kind, ref)`` (None: text only)."""
    return [
        (kind, _mapped(content, fn) if kind == "p" else [_mapped(i, fn) for i in content]) for kind, content in blocks
    ]


def _mapped(runs, fn):
    out = []
    for run in runs:
        if run[0] == "text":
            out.append(run)
        elif run[0] in ("b", "i"):
            out.append((run[0], _mapped(run[1], fn)))
        else:
            target = fn(*run[1])
            inner = _mapped(run[2], fn)
            out.extend([("a", target, inner)] if target else inner)
    return out


def links(text):
    """[(kind, ref)] of the links in a portable paragraph."""
    found = []
    for runs in lines_of(from_portable(text)):
        _links_in(runs, found)
    return found


def _links_in(runs, found):
    for run in runs:
        if run[0] == "a":
            found.append(run[1])
        if run[0] != "text":
            _links_in(run[-1], found)
