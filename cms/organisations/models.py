"""Organisations: the bodies that publish (a district's organisation department, a street office, a
community committee), each at one place of the region hierarchy, with its editors, reviewers and
administrators. What an account may touch follows from the places of its organisations (``scope``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.models import Task, TaskState, Workflow

from cms.core.models import Region


class Organisation(models.Model):
    name = models.CharField(_("机构名称"), max_length=100, unique=True, help_text=_("例如 长治市上党区委组织部"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("负责地区"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("本机构负责的地区：本机构的人员只能编辑这一地区及其下级地区的内容"),
    )

    class Review(models.TextChoices):
        RELAY = "relay", _("审核后上报上级机构")
        FINAL = "final", _("审核通过即发布（终审）")
        SKIP = "skip", _("不审核，直接交上级机构")

    review = models.CharField(
        _("下级提交的审核"),
        max_length=10,
        choices=Review.choices,
        default=Review.RELAY,
        help_text=_(
            "下级地区提交的内容经过本机构时如何审核。例如街道“审核后上报”、区“终审”；"
            "由区里统一审核时，街道选“不审核，直接交上级机构”。"
        ),
    )

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["region__level", "name"]

    def __str__(self):
        return self.name

    def is_member(self, user, role):
        return user.is_authenticated and self.memberships.filter(user=user, role=role).exists()


class Membership(models.Model):
    class Role(models.TextChoices):
        EDITOR = "editor", _("编辑")
        REVIEWER = "reviewer", _("审核人")
        ADMIN = "admin", _("机构管理员")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "role"], name="one_role_once")]

    def __str__(self):
        return f"{self.organisation}：{self.user}（{self.get_role_display()}）"


def organisations_along(region):
    """[(place, its organisation or None)] from ``region`` up to the top, nearest first (one query)."""
    places = list(reversed(region.ancestry()))
    orgs = {}
    for org in Organisation.objects.filter(region__in=places).order_by("pk"):
        orgs.setdefault(org.region_id, org)
    return [(place, orgs.get(place.pk)) for place in places]


def review_chain(region):
    """The organisations that review, in turn, what is published at ``region``: each body above the place
    (nearest first) that reviews, up to the first that approves finally. A body at the top approves what it
    publishes itself. Empty when no organisation is responsible for the place."""
    if region is None:
        return []
    (_here, own), *above = organisations_along(region)
    chain = []
    for _place, org in above:
        if org is None or org.review == Organisation.Review.SKIP:
            continue
        chain.append(org)
        if org.review == Organisation.Review.FINAL:
            return chain
    return chain or ([own] if own is not None else [])


class PlaceReviewTask(Task):
    """One step of review up the hierarchy: the reviewers of the step-th organisation of the item's
    ``review_chain`` approve it (or ask for changes). Workflows of one, two or three such steps are assigned
    by the number of steps an item's place needs (``workflow_for``)."""

    step = models.PositiveSmallIntegerField(_("第几级审核"), default=1)

    admin_form_fields = Task.admin_form_fields + ["step"]

    class Meta:
        verbose_name = _("逐级审核")
        verbose_name_plural = _("逐级审核")

    @classmethod
    def get_description(cls):
        return _("由内容所在地区上级机构的审核人逐级审核")

    def chain_under_review(self, obj):
        """(the place of the version under review, its review chain): an editor may have moved the item in
        this very revision."""
        if hasattr(obj, "get_latest_revision_as_object"):
            obj = obj.get_latest_revision_as_object()
        place = getattr(obj, "place", None)
        return place, review_chain(place)

    def reviewing(self, chain):
        """This step's organisation in ``chain``, or None."""
        return chain[self.step - 1] if len(chain) >= self.step else None

    def may_review(self, user, chain):
        org = self.reviewing(chain)
        return user.is_superuser or (org is not None and org.is_member(user, Membership.Role.REVIEWER))

    def reviews(self, obj, user):
        return user.is_superuser or self.may_review(user, self.chain_under_review(obj)[1])

    def user_can_access_editor(self, obj, user):
        return self.reviews(obj, user)

    def locked_for_user(self, obj, user):
        return not self.reviews(obj, user)

    def user_can_lock(self, obj, user):
        return self.reviews(obj, user)

    def get_actions(self, obj, user):
        if not self.reviews(obj, user):
            return []
        return [
            ("reject", _("退回修改"), True),
            ("approve", _("审核通过"), False),
            ("approve", _("审核通过并留言"), True),
        ]

    def on_action(self, task_state, user, action_name, **kwargs):
        obj = task_state.workflow_state.content_object
        if action_name == "approve":
            place, chain = self.chain_under_review(obj)
            org = self.reviewing(chain)
            if org is not None and self.step == len(chain) and self.may_review(user, chain):
                # The last step: the very revision Wagtail publishes when the workflow finishes (the latest).
                record_approval(obj.get_latest_revision(), org, place)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        mine = [s.pk for s in states if self.reviews(s.workflow_state.content_object, user)]
        return states.filter(pk__in=mine)


def record_approval(revision, org, place):
    """On the last step's approval, the revision that goes live names the approving organisation and the day
    (and, when the editor left it blank, the publishing organisation: the body at the item's ``place``)."""
    if "approved_by" not in revision.content:  # kinds without a disclosure block
        return
    revision.content["approved_by"] = org.name
    revision.content["date_approved"] = timezone.localdate().isoformat()
    if not revision.content.get("publisher"):
        own = publishing_organisation(place)
        revision.content["publisher"] = own.name if own is not None else org.name
    revision.save(update_fields=["content"])


def publishing_organisation(region):
    """The organisation responsible for a place: the one at the place itself, else the nearest above."""
    return next((org for _place, org in organisations_along(region) if org is not None), None)


def workflow_for(page):
    """The review workflow of an item: as many steps as its place needs; None when no organisation is
    responsible for it (Wagtail's own assignment applies)."""
    steps = len(review_chain(getattr(page, "place", None)))
    if not steps:
        return None
    return Workflow.objects.filter(active=True, name=workflow_name(min(steps, MAX_STEPS))).first()


MAX_STEPS = 3


def workflow_name(steps):
    return f"逐级审核（{steps} 级）"
