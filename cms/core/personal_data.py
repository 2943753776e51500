"""Personal data in public text: mainland ID numbers, mobile and landline numbers, bank card numbers.

Public notices and lists are where such data leaks in real life (rosters with ID and phone numbers). Every
text an item publishes is scanned before it is published; a finding must be masked (110101********1234,
138****5678) or kept with a reviewer's recorded reason, and the export masks whatever is neither.

The patterns are strict where a check exists: an ID number must carry a valid birth date and its ISO 7064
MOD 11-2 check character, a bank card number must pass the Luhn check.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
DIGIT = re.compile(r"\d")  # every pattern below needs one: texts without are passed over
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![\d*])(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d*])")
LANDLINE = re.compile(r"(?<![\d*])(?:\((0\d{2,3})\)|(0\d{2,3})-?)\s?(\d{7,8})(?![\d*])")
CARD = re.compile(r"(?<![\d*])\d{4}(?:[ -]?\d{2,4}){2,4}(?![\d*])")  # 13 to 19 digits, grouped or not

LABELS = {"id_number": "身份证号", "mobile": "手机号", "landline": "固定电话", "bank_card": "银行卡号"}


@dataclass(frozen=True)
class Finding:
    kind: str  # id_number, mobile, landline, bank_card
    value: str  # as written
    masked: str  # how it may be published
    start: int
    end: int

    @property
    def label(self):
        return LABELS[self.kind]

    @property
    def digest(self):
        """What a recorded reason to keep it names: not the value itself."""
        return value_digest(self.value)


def value_digest(value):
    return hashlib.sha256(re.sub(r"[\s-]", "", value).upper().encode()).hexdigest()[:24]


def id_number_valid(digits):
    """An 18-character mainland ID number: a real birth date and the right check character."""
    body, check = digits[:17], digits[17].upper()
    try:
        born = datetime.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    if not datetime.date(1900, 1, 1) <= born <= datetime.date.today():
        return False
    return ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11] == check


def luhn_valid(digits):
    total = 0
    for n, digit in enumerate(reversed(digits)):
        value = int(digit)
        if n % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find(text):
    """Every finding in a text, in order, none overlapping."""
    if not text or not DIGIT.search(text):
        return []
    found = []

    def free(start, end):
        return all(end <= f.start or start >= f.end for f in found)

    for match in ID_NUMBER.finditer(text):
        digits = "".join(match.groups())
        if id_number_valid(digits):
            found.append(Finding("id_number", match.group(), f"{digits[:6]}********{digits[-4:]}", *match.span()))
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits) and free(*match.span()):
            masked = digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
            found.append(Finding("bank_card", match.group(), masked, *match.span()))
    for match in MOBILE.finditer(text):
        if free(*match.span()):
            head, _middle, tail = match.groups()
            found.append(Finding("mobile", match.group(), f"{head}****{tail}", *match.span()))
    for match in LANDLINE.finditer(text):
        if free(*match.span()):
            area = match.group(1) or match.group(2)
            local = match.group(3)
            masked = f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
            found.append(Finding("landline", match.group(), masked, *match.span()))
    return sorted(found, key=lambda f: f.start)


def mask(text, keep=frozenset(), markdown=False):
    """The text with every finding masked, but those whose digest is in ``keep`` (kept with a reason). In
    ``markdown`` (a rich text paragraph's portable form) the mask's stars are escaped, never emphasis."""
    findings = [f for f in find(text) if f.digest not in keep]
    for finding in reversed(findings):
        masked = finding.masked.replace("*", "\\*") if markdown else finding.masked
        text = text[: finding.start] + masked + text[finding.end :]
    return text


# Keys of a portable entry that name things rather than say them (never scanned, never masked).
NAME_KEYS = {
    "id",
    "slug",
    "image",
    "file",
    "region",
    "community",
    "communities",
    "supersedes",
    "case",
    "digest",
    "kind",
}
KEPT_KEY = "personal_data_kept"  # a page's kept findings: [{"digest", "kind", "reason"}]


def walk(value, path=()):
    """(path, text) of every text in a portable entry, the names of things left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NAME_KEYS and key != KEPT_KEY:
                yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from walk(item, (*path, n))
    elif isinstance(value, str):
        yield path, value


def kept_digests(entry):
    return frozenset(k.get("digest", "") for k in entry.get("meta", {}).get(KEPT_KEY, []))


def entry_findings(entry):
    """[(path, Finding)] of every finding in an entry's texts that is not kept with a reason."""
    keep = kept_digests(entry)
    return [(path, f) for path, text in walk(entry) for f in find(text) if f.digest not in keep]


def masked_entry(entry):
    """The entry with every finding masked but those kept with a reason (what may leave the CMS)."""
    keep = kept_digests(entry)
    masked = mask_value(entry, keep, skip=NAME_KEYS | {KEPT_KEY})
    for block, out in zip(entry.get("blocks") or [], masked.get("blocks") or [], strict=False):
        if isinstance(block, dict) and block.get("type") == "paragraph" and isinstance(block.get("value"), str):
            out["value"] = mask(block["value"], keep, markdown=True)
    return masked


def mask_value(value, keep=frozenset(), skip=frozenset()):
    """Every string in a JSON-like value masked (but findings kept with a reason, and keys in ``skip``)."""
    if isinstance(value, dict):
        return {k: v if k in skip else mask_value(v, keep, skip) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, keep, skip) for v in value]
    if isinstance(value, str) and DIGIT.search(value):
        return mask(value, keep)
    return value


def field_label(model, path):
    """Where in a page a text stands, as an editor reads it: 字段“摘要”, “特色做法”第 2 行“简要说明”, 正文第 3 块."""
    if not path:
        return "正文"
    head, rest = path[0], path[1:]
    if head == "blocks":
        return f"正文第 {rest[0] + 1} 块" if rest else "正文"
    if head == "text":
        return _verbose(model, "intro") or "说明"
    if head != "meta" or not rest:
        return str(head)
    key, rest = rest[0], rest[1:]
    if rest and isinstance(rest[0], int):  # a child row: practices[2].name
        relation = _relation(model, key)
        row_model = relation.related_model if relation is not None else None
        label = str(row_model._meta.verbose_name) if row_model is not None else key
        field = _verbose(row_model, rest[1]) if row_model is not None and len(rest) > 1 else ""
        return f"“{label}”第 {rest[0] + 1} 行" + (f"“{field}”" if field else "")
    if rest:  # a group of fields: source.publisher is the field source_publisher
        return f"“{_verbose(model, f'{key}_{rest[0]}') or _verbose(model, rest[0]) or rest[0]}”"
    return f"“{_verbose(model, key) or key}”"


def _verbose(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # not a field of the model
        return ""


def _relation(model, accessor):
    for field in model._meta.get_fields():
        if getattr(field, "get_accessor_name", None) and field.get_accessor_name() == accessor:
            return field
    return None


def describe_findings(model, findings):
    """One line of Chinese per finding: where, what, and how it may be published."""
    return [f"{field_label(model, path)}中的{f.label}（可遮盖为 {f.masked}）" for path, f in findings]
