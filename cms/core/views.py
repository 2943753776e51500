"""Small views shared by the CMS."""

from django.http import HttpResponse
from django.utils.html import escape


def locked_out(request, credentials=None, *args, **kwargs):
    """What someone sees after too many failed logins (django-axes), in Chinese."""
    message = "登录失败次数过多，该账号已暂时锁定 30 分钟。如需立即恢复，请联系网站管理员。"
    body = (
        f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>账号已锁定</title><p>{escape(message)}</p></html>'
    )
    return HttpResponse(body, status=429)
