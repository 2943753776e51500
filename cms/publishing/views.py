"""Admin views: the site build log, and the 重新构建 action for site administrators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from .models import SiteBuild
from .tasks import request_build


def can_rebuild(user):
    return user.is_superuser or user.has_perm("publishing.rebuild_site")


def build_list(request):
    """Every editor sees whether their change is live yet, and why a build failed."""
    builds = SiteBuild.objects.select_related("requested_by")[:50]
    return TemplateResponse(
        request, "publishing/site_builds.html", {"builds": builds, "can_rebuild": can_rebuild(request.user)}
    )


@require_POST
def rebuild(request):
    if not can_rebuild(request.user):
        raise PermissionDenied
    request_build(f"手动重新构建（{request.user.get_username()}）", user=request.user, full=True)
    messages.success(request, "已加入构建队列：网站将完整重新构建。")
    return redirect("jiceng_site_builds")
