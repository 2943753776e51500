"""Checks on an annex (an official attachment: PDF, XLSX, DOCX, CSV, TXT) before it is stored, whether an
editor uploads it in the admin or a content folder brings it: the type by its content (not its name), the
size, and a clean file name. Messages are in Chinese and name the file."""

import io
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from .forms import decode_text

MAX_ANNEX_BYTES = 20 * 1024 * 1024
ALLOWED = {".pdf": "PDF", ".xlsx": "Excel 表格", ".docx": "Word 文档", ".csv": "CSV 表格", ".txt": "文本"}
# What the zip of an Office file must hold, by suffix.
OFFICE_PARTS = {".xlsx": "xl/", ".docx": "word/"}


def clean_name(name):
    """The last part of ``name``, without control or path characters, at most 100 characters, suffix kept."""
    base = PurePosixPath(str(name).replace("\\", "/")).name
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = re.sub(r"[\s/:*?\"<>|#%&{}$!'`=+@^~\[\];,]+", "-", base).strip("-.") or "file"
    suffix = PurePosixPath(base).suffix.lower()
    stem = base[: len(base) - len(suffix)] if suffix else base
    return stem[: 100 - len(suffix)] + suffix


def annex_problem(name, data):
    """None when ``data`` is an acceptable annex called ``name``; else what is wrong, in Chinese."""
    suffix = PurePosixPath(str(name)).suffix.lower()
    shown = clean_name(name)
    if suffix not in ALLOWED:
        return f"附件“{shown}”的类型不受支持：只能上传 {'、'.join(s[1:].upper() for s in ALLOWED)} 文件"
    if len(data) > MAX_ANNEX_BYTES:
        return f"附件“{shown}”超过 {MAX_ANNEX_BYTES // 1024 // 1024} MB"
    if not data:
        return f"附件“{shown}”是空文件"
    if suffix == ".pdf" and not data.startswith(b"%PDF-"):
        return f"附件“{shown}”不是有效的 PDF 文件（内容与扩展名不符）"
    if suffix in OFFICE_PARTS:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        if "[Content_Types].xml" not in names or not any(n.startswith(OFFICE_PARTS[suffix]) for n in names):
            return f"附件“{shown}”不是有效的{ALLOWED[suffix]}（内容与扩展名不符）"
    if suffix in (".csv", ".txt"):
        if b"\0" in data:
            return f"附件“{shown}”不是文本文件"
        if decode_text(data) is None:
            return f"附件“{shown}”的编码不是 UTF-8 或 GBK"
    return None
