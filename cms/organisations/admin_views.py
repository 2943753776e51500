"""机构成员 in the admin: an organisation's administrator adds and removes the people of their organisation and
of the organisations below it, without being a superuser; superusers see every organisation."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy

from .models import Membership, Organisation
from .scope import ALL, region_scope

ADMIN = (Membership.Role.ADMIN,)
# The Wagtail group that gives each role its page permissions (created with the review workflow).
ROLE_GROUPS = {Membership.Role.EDITOR: "编辑", Membership.Role.REVIEWER: "审核", Membership.Role.ADMIN: None}


def administered(user):
    """Organisations whose people this account may manage: those at or below the places it administers."""
    if user.is_superuser:
        return Organisation.objects.all()
    scope = region_scope(user, ADMIN)
    if scope is ALL:  # an account in no organisation administers none
        return Organisation.objects.none()
    return Organisation.objects.filter(region__in=scope)


class MembershipPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return user.is_active and (user.is_superuser or administered(user).exists())

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action) and administered(user).filter(pk=instance.organisation_id).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_permission_for_instance(user, None, instance)

    def instances_user_has_permission_for(self, user, action):
        return Membership.objects.filter(organisation__in=administered(user))

    def instances_user_has_any_permission_for(self, user, actions):
        return self.instances_user_has_permission_for(user, None)


class MembershipForm(WagtailAdminModelForm):
    username = forms.CharField(label=_("账号（登录名）"), max_length=150)
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("账号尚不存在时填写：将以此密码新建账号"),
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None:
            self.fields["organisation"].queryset = administered(for_user)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.get_username()

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username", "").strip(), cleaned.get("password")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not password:
                self.add_error("password", "没有这个账号：请填写初始密码以新建账号。")
            else:
                try:
                    validate_password(password)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        elif user.is_superuser and not (self.for_user and self.for_user.is_superuser):
            self.add_error("username", "不能把超级管理员加入机构。")
        self._account = (user, username, password)
        return cleaned

    def save(self, commit=True):
        user, username, password = self._account
        if user is None:
            user = get_user_model().objects.create_user(username, password=password)
        group = ROLE_GROUPS.get(self.cleaned_data["role"])
        if group:
            user.groups.add(Group.objects.get(name=group))
        self.instance.user = user
        return super().save(commit)


class ScopedIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(organisation__in=administered(self.request.user))


class OnlyAdministered:
    """Edit and delete find only memberships of organisations this account administers (else 404)."""

    def get_queryset(self):
        return Membership.objects.filter(organisation__in=administered(self.request.user))


class ScopedEditView(OnlyAdministered, EditView):
    pass


class ScopedDeleteView(OnlyAdministered, DeleteView):
    pass


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "group"
    menu_label = _("机构成员")
    menu_order = 210
    add_to_admin_menu = True
    name = "memberships"
    form_fields = ["organisation", "role"]
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView

    def get_form_class(self, for_update=False):
        return MembershipForm


class OrganisationViewSet(ModelViewSet):
    """Organisations themselves are set up by superusers (places, how they review)."""

    model = Organisation
    icon = "site"
    menu_label = _("机构")
    menu_order = 205
    add_to_admin_menu = True
    name = "organisations"
    form_fields = ["name", "region", "review"]
    list_display = ["name", "region", "review"]
    list_filter = ["review"]
