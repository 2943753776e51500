"""Read list rows from the spreadsheets editors receive (.xlsx annexes, .csv), and write a list back to .xlsx.

Columns are found by their Chinese headers, with the variants real annexes use. A category written once
in a merged cell (or left blank below its first row) applies to the rows beneath it. Every problem is
collected with its row and column, in Chinese, and a file with any problem yields no rows at all.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from cms.core.forms import decode_text, unusable_character

from .models import ListItem, ListKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000
MAX_CELL = 5000

# Our field -> header texts seen in real annexes (compared without spaces, brackets and punctuation).
HEADERS = {
    "number": ["序号", "编号", "序", "no"],
    "category": ["大类", "类别", "分类", "事项类别", "事项分类", "类型", "领域"],
    "name": ["事项名称", "名称", "事项", "证明名称", "证明事项", "证明事项名称", "工作事项", "事项名"],
    "content": ["事项内容", "内容", "工作内容", "具体内容", "主要内容", "事项描述", "协助内容", "具体事项"],
    "basis": ["依据", "法律依据", "政策依据", "设定依据", "办理依据", "法律法规依据", "法定依据", "实施依据"],
    "department": ["责任部门", "主管部门", "责任单位", "牵头部门", "职能部门", "业务主管部门", "主责部门"],
    "resourcing": ["保障方式", "保障措施", "经费保障", "工作保障"],
    "purpose": ["用途", "证明用途"],
    "issuer": ["出具单位", "开具单位", "出具部门"],
    "procedure": ["办理流程", "办理程序", "流程", "办理方式"],
    "alternative_kind": ["替代类别", "替代方式类别"],
    "alternative": ["替代办理方式", "替代方式", "取消后办理方式", "现在怎么办", "去哪里办", "取消后的办理途径"],
    "list_kind": ["清单类别", "清单类型", "清单"],
}
LABELS = {
    "number": "序号",
    "category": "大类",
    "name": "事项名称",
    "content": "事项内容",
    "basis": "依据",
    "department": "责任部门",
    "resourcing": "保障方式",
    "purpose": "证明用途",
    "issuer": "出具单位",
    "procedure": "办理流程",
    "alternative_kind": "替代类别",
    "alternative": "替代办理方式",
    "list_kind": "清单类别",
}
# Each column's limit is its field's (a 4,096-character category must not reach the database).
LIMITS = {name: ListItem._meta.get_field(name).max_length for name in ListItem.TEXT_FIELDS}
BASIS_LIMIT = 500
ALTERNATIVES = {str(label): value for value, label in ListItem.Alternative.choices if value}
KINDS = {str(label): value for value, label in ListKind.choices} | {value: value for value in ListKind.values}
_PUNCT = re.compile(r"[\s\u3000()（）【】\[\]:：*＊/／、.。\-—_]+")


def _key(text):
    return _PUNCT.sub("", str(text or "")).lower()


_LOOKUP = {_key(h): name for name, headers in HEADERS.items() for h in headers}


def column_letter(index):
    """0 -> A, 25 -> Z, 26 -> AA: how spreadsheets name a column."""
    return get_column_letter(index + 1)


class SpreadsheetError(Exception):
    """A file that cannot be imported; ``problems`` lists each one with its place, in Chinese."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            "；".join(problems[:20]) + (f"；另有 {len(problems) - 20} 处问题" if len(problems) > 20 else "")
        )


@dataclass
class ParsedSheet:
    rows: list = field(default_factory=list)  # dicts: number, category, name, … basis (list of texts)
    columns: dict = field(default_factory=dict)  # our field -> the header as written in the file
    ignored: list = field(default_factory=list)  # headers we did not recognise
    sheet: str = ""


MAX_UNZIPPED = 60 * 1024 * 1024


def _grid_from_xlsx(data, filename):
    import zipfile

    import openpyxl

    try:
        unzipped = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except Exception as exc:
        raise SpreadsheetError([f"文件“{filename}”无法读取：不是有效的 .xlsx 文件（{type(exc).__name__}）"]) from exc
    if unzipped > MAX_UNZIPPED:  # a small file that would expand to gigabytes (a "zip bomb")
        raise SpreadsheetError(
            [f"文件“{filename}”解压后有 {unzipped // 1024 // 1024} MB，超过上限 {MAX_UNZIPPED // 1024 // 1024} MB"]
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # a user's file: any failure to read it means it is not a readable workbook
        raise SpreadsheetError([f"文件“{filename}”无法读取：不是有效的 .xlsx 文件（{type(exc).__name__}）"]) from exc
    sheet = book.worksheets[0]
    if sheet.max_row > MAX_ROWS + 20:
        raise SpreadsheetError(
            [f"文件“{filename}”的工作表“{sheet.title}”有 {sheet.max_row} 行，超过上限 {MAX_ROWS} 行"]
        )
    grid = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # A merged cell holds its value in its top-left cell only: spread it over the whole range.
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    return grid, sheet.title


def _grid_from_csv(data, filename):
    text = decode_text(data)
    if text is None:
        raise SpreadsheetError([f"文件“{filename}”无法读取：编码不是 UTF-8 或 GBK"])
    try:
        grid = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise SpreadsheetError([f"文件“{filename}”无法读取：CSV 格式错误（{exc}）"]) from exc
    if len(grid) > MAX_ROWS + 20:
        raise SpreadsheetError([f"文件“{filename}”有 {len(grid)} 行，超过上限 {MAX_ROWS} 行"])
    return grid, ""


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data, filename, list_kind):
    """Parse a spreadsheet's rows for a list of ``list_kind``; raises SpreadsheetError listing every problem."""
    name = str(filename or "")
    if len(data) > MAX_BYTES:
        raise SpreadsheetError([f"文件“{name}”有 {len(data) // 1024} KB，超过上限 {MAX_BYTES // 1024 // 1024} MB"])
    lower = name.lower()
    if lower.endswith(".xlsx"):
        grid, sheet = _grid_from_xlsx(data, name)
    elif lower.endswith(".csv"):
        grid, sheet = _grid_from_csv(data, name)
    else:
        raise SpreadsheetError([f"文件“{name}”不是 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）"])
    where = f"“{name}”" + (f"工作表“{sheet}”" if sheet else "")

    # The header row: the first of the first 10 rows that names 事项名称 (or a variant).
    header_at, columns = None, {}
    for r, row in enumerate(grid[:10]):
        found = {}
        for c, cell in enumerate(row):
            field_name = _LOOKUP.get(_key(cell))
            if field_name and field_name not in found:
                found[field_name] = c
        if "name" in found:
            header_at, columns = r, found
            break
    if header_at is None:
        raise SpreadsheetError([f"{where}：前 10 行中没有找到“事项名称”列（可用的列名：事项名称、证明名称、名称等）"])
    header = grid[header_at]
    parsed = ParsedSheet(sheet=sheet, columns={f: _text(header[c]) for f, c in columns.items()})
    parsed.ignored = [_text(h) for c, h in enumerate(header) if _text(h) and c not in columns.values()]

    problems, seen, category = [], {}, ""
    for r in range(header_at + 1, len(grid)):
        row = grid[r]
        line = r + 1  # as the spreadsheet numbers rows

        def cell(field_name, row=row):
            c = columns.get(field_name)
            return _text(row[c]) if c is not None and c < len(row) else ""

        def at(field_name, line=line):
            return f"第 {line} 行 {column_letter(columns[field_name])} 列（{parsed.columns[field_name]}）"

        if not any(_text(v) for v in row):
            continue  # blank line between blocks
        values = {f: cell(f) for f in columns}
        for f, value in values.items():
            limit = LIMITS.get(f, MAX_CELL)
            if len(value) > limit:
                problems.append(f"{at(f)}：内容超过 {limit} 字（现有 {len(value)} 字）")
            elif ch := unusable_character(value):
                problems.append(f"{at(f)}：含有无效字符 U+{ord(ch):04X}")
        if values.get("category"):
            category = values["category"]
        if not values.get("name"):
            where_name = f"第 {line} 行 {column_letter(columns['name'])} 列（{parsed.columns['name']}）"
            problems.append(f"{where_name}：缺少事项名称")
            continue
        if "list_kind" in columns and values["list_kind"]:
            kind = KINDS.get(values["list_kind"])
            if kind is None:
                problems.append(
                    f"{at('list_kind')}：未知的清单类别“{values['list_kind']}”，可用：{'、'.join(map(str, ListKind.labels))}"
                )
            elif kind != list_kind:
                wanted = ListKind(list_kind).label
                problems.append(f"{at('list_kind')}：这一行属于“{ListKind(kind).label}”，而当前清单是“{wanted}”")
        if "number" in columns:
            raw = values["number"]
            if not re.fullmatch(r"\d{1,6}", raw or ""):
                problems.append(f"{at('number')}：序号“{raw}”应为正整数")
                continue
            number = int(raw)
        else:
            number = len(parsed.rows) + 1
        if number in seen:
            problems.append(
                f"{at('number') if 'number' in columns else f'第 {line} 行'}：序号 {number} 与第 {seen[number]} 行重复"
            )
        seen[number] = line
        alternative_kind = ""
        if values.get("alternative_kind"):
            alternative_kind = ALTERNATIVES.get(values["alternative_kind"])
            if alternative_kind is None:
                problems.append(
                    f"{at('alternative_kind')}：未知的替代类别“{values['alternative_kind']}”，可用：{'、'.join(ALTERNATIVES)}"
                )
                alternative_kind = ""
        if list_kind == ListKind.CERTIFICATES_CANCELLED and not values.get("alternative"):
            place = at("alternative") if "alternative" in columns else f"第 {line} 行"
            problems.append(f"{place}：不再出具的证明“{values['name']}”缺少替代办理方式（居民现在去哪里办）")
        basis = [b.strip() for b in re.split(r"[\n；;]+", values.get("basis", "")) if b.strip()]
        for text in basis:
            if len(text) > BASIS_LIMIT:
                problems.append(f"{at('basis')}：一条依据超过 {BASIS_LIMIT} 字（多条依据请用分号分开）")
        parsed.rows.append(
            {
                "number": number,
                "category": values.get("category") or category,
                "name": values["name"],
                "content": values.get("content", ""),
                "basis": basis,
                "department": values.get("department", ""),
                "resourcing": values.get("resourcing", ""),
                "purpose": values.get("purpose", ""),
                "issuer": values.get("issuer", ""),
                "procedure": values.get("procedure", ""),
                "alternative_kind": alternative_kind,
                "alternative": values.get("alternative", ""),
                "line": line,
            }
        )
    if not parsed.rows and not problems:
        problems.append(f"{where}：表头下面没有任何事项")
    if problems:
        raise SpreadsheetError([f"{where} {p}" if p.startswith("第") else p for p in problems])
    return parsed


def apply_rows(page, parsed):
    """Replace the rows of a list page (in memory; the caller saves a revision) with parsed rows."""
    items = []
    for position, data in enumerate(parsed.rows):
        item = ListItem(**{k: data[k] for k in ListItem.TEXT_FIELDS}, number=data["number"])
        item.basis = [("basis", {"text": text, "version": ""}) for text in data["basis"]]
        item.sort_order = position
        items.append(item)
    page.items = items
    return items


def write_xlsx(page):
    """A list as an .xlsx workbook (bytes), with the same headers the importer reads."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "事项"
    fields = ["number", "category", "name", "content", "basis", "department", "resourcing"]
    if page.list_kind in (ListKind.CERTIFICATES_ISSUED, ListKind.CERTIFICATES_CANCELLED):
        fields += ["purpose", "issuer", "procedure", "alternative_kind", "alternative"]
    sheet.append([LABELS[f] for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    labels = {value: str(label) for value, label in ListItem.Alternative.choices}
    for item in page.items.all():
        values = {f: getattr(item, f, "") for f in fields if f not in ("basis", "alternative_kind")}
        values["basis"] = "；".join(
            b.value["text"] + (f"（{b.value['version']}）" if b.value.get("version") else "") for b in item.basis
        )
        values["alternative_kind"] = labels.get(item.alternative_kind, "") if item.alternative_kind else ""
        row = []
        for f in fields:
            value = values[f]
            # A cell starting with = + - @ would be a formula in Excel: keep it text.
            if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
                value = "'" + value
            row.append(value)
        sheet.append(row)
    widths = {"name": 28, "content": 48, "basis": 40, "alternative": 40, "procedure": 30}
    for n, f in enumerate(fields):
        sheet.column_dimensions[column_letter(n)].width = widths.get(f, 14)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
