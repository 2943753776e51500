"""What went wrong with one item during a build or a dump, said for the editors (in Chinese).

One item that cannot be exported, rendered or written is left out of that build (its previous outputs stay
as they were); the build carries on for everything else and lists each such item with its reason.
"""

import errno

from .files import UnsafePath
from .portable import ContentError


def failure_reason(exc):
    """Why an item could not be published, in Chinese, for the editors' build log."""
    if isinstance(exc, ContentError | UnsafePath):
        return str(exc)
    if isinstance(exc, UnicodeError):
        return "内容含有无法编码的字符"
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return "网址标识太长，无法作为文件名"
    if isinstance(exc, OSError):
        return f"文件读写失败（{exc.strerror or type(exc).__name__}）"
    return f"程序无法处理这项内容（{type(exc).__name__}: {str(exc)[:200]}）"


def item_label(kind_label, title, folder, slug):
    slug = str(slug)
    return f"{kind_label}“{str(title)[:60]}”（{folder}/{slug[:40]}{'…' if len(slug) > 40 else ''}）"
