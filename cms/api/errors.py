"""Every answer of the v3 API in Chinese: problem details (RFC 7807) whose title, detail and messages an
editor's tool can show as they are.

Wagtail registers English handlers (``wagtail.api.v3.errors``); these replace them on the same API object.
Request-shape errors come from pydantic with a type code per error, which we translate; form errors are
already Chinese (our gate and Django's own messages under zh-hans).
"""

import logging
import re

from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404

from wagtail.api.rich_text import RichTextFormatError
from wagtail.api.v3.errors import problem_response
from wagtail.utils.forms import FormValidationError

log = logging.getLogger(__name__)

TITLES = {
    400: "请求无效",
    401: "需要 API 令牌",
    403: "没有权限",
    404: "未找到",
    405: "不支持这种请求方法",
    409: "与当前状态冲突",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "提交的内容未通过校验",
    429: "请求过于频繁",
    500: "服务器内部错误",
}

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) in Chinese.
MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不接受这个字段",
    "string_type": "应为文字",
    "string_too_long": "文字过长",
    "string_too_short": "文字过短",
    "string_pattern_mismatch": "格式不对",
    "string_unicode": "不是有效的 Unicode 文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "url_parsing": "不是有效的网址",
    "url_type": "不是有效的网址",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "too_long": "项目过多",
    "too_short": "项目过少",
    "list_type": "应为列表",
    "dict_type": "应为对象（键: 值）",
    "model_type": "应为对象（键: 值）",
    "model_attributes_type": "应为对象（键: 值）",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "union_tag_invalid": "类型不对",
    "union_tag_not_found": "缺少类型字段",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
    "finite_number": "应为有限的数字",
    "none_required": "应为空",
    "is_instance_of": "类型不对",
}


def _is_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def _where(loc, in_request=True):
    # Leave out the request part and the page type ("cases.CaseStudyPage"): the field path remains.
    parts = list(loc or [])
    if in_request and parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]  # where in the request, not which field
    parts = [str(p) for p in parts if p not in ("data", "payload") and "." not in str(p)]
    return ".".join(parts)


def chinese_error(error, in_request=True):
    """One error dict (pydantic's or Wagtail's form error) with a Chinese ``msg`` naming its place."""
    code = str(error.get("type") or "")
    message = str(error.get("msg") or "")
    surrogate = re.search(r"character '\\u(d[89a-f][0-9a-f]{2})'", message)
    if code == "unicode_encode_error" and surrogate:  # a lone surrogate a parser met before the gate did
        message = f"含有无效字符 U+{surrogate.group(1).upper()}（控制字符或无效编码），请删除后重试。"
    if not _is_chinese(message):
        message = MESSAGES.get(code, "取值无效")
        context = error.get("ctx") or {}
        if "max_length" in context:
            message += f"（最多 {context['max_length']}）"
        elif "min_length" in context:
            message += f"（至少 {context['min_length']}）"
        elif "expected" in context:
            message += f"（可选：{context['expected']}）"
    where = _where(error.get("loc"), in_request)
    if where:
        message = f"“{where}”" + ("" if message.startswith("第") else "：") + message
    return {"type": code or "invalid", "loc": list(error.get("loc") or []), "msg": message}


def chinese_detail(status, detail):
    return detail if detail and _is_chinese(detail) else TITLES.get(status, "请求失败")


def register(api):
    """Replace Wagtail's English exception handlers on the v3 API with Chinese ones."""

    @api.exception_handler(PydanticValidationError)
    @api.exception_handler(NinjaValidationError)
    @api.exception_handler(DjangoValidationError)
    def validation_error(request, exc):
        if isinstance(exc, FormValidationError):
            errors = [
                {"type": code or "invalid", "loc": list(path), "msg": str(message)}
                for path, coded_messages in exc.loc_errors
                for message, code in coded_messages
            ]
            errors = [chinese_error(e, in_request=False) for e in errors]
        elif isinstance(exc, DjangoValidationError):
            errors = [{"type": "invalid", "loc": [], "msg": str(m)} for m in exc.messages]
        elif isinstance(exc, NinjaValidationError):
            errors = [chinese_error(e) for e in exc.errors]
        else:
            errors = [chinese_error(e) for e in exc.errors()]
        return problem_response(
            status=422, title=TITLES[422], detail="提交的内容未通过校验，请按各项说明修改。", errors=errors
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return problem_response(status=401, title=TITLES[401], detail="需要有效的 API 令牌（Authorization: Bearer …）")

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        if not request.user.is_authenticated:
            return problem_response(
                status=401, title=TITLES[401], detail="需要有效的 API 令牌（Authorization: Bearer …）"
            )
        return problem_response(status=403, title=TITLES[403], detail=chinese_detail(403, str(exc)))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem_response(status=404, title=TITLES[404], detail=chinese_detail(404, str(exc)))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        status = exc.status_code
        return problem_response(
            status=status, title=TITLES.get(status, "请求失败"), detail=chinese_detail(status, str(exc))
        )

    @api.exception_handler(RichTextFormatError)
    def rich_text_error(request, exc):
        return problem_response(status=400, title=TITLES[400], detail="富文本格式不对，请检查提交的正文。")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("v3 API error on %s", request.path)
        return problem_response(
            status=500, title=TITLES[500], detail="服务器处理请求时出错，已记录。请稍后重试或联系管理员。"
        )
