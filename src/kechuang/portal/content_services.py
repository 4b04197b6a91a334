"""Writing the portal's content: policies (with their documents), notices and news, and service guide entries.

Each is written by the bureau of its region (permissions.can_edit_content) as a draft, then published and, when
no longer valid, withdrawn (a withdrawn item can be published again). Every state change goes through
PUBLISH_WORKFLOW, which locks the row, checks the version the editor read, and records the transition; edits
are audited by the AuditedModel signals and refused when the record changed since the form was read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.core.validators import validate_upload
from kechuang.core.workflow import Transition, Workflow

from . import permissions as perm
from .enums import PublishState
from .models import Notice, Policy, PolicyDocument, ServiceGuide

S = PublishState


def _editor(user, instance):
    return perm.can_edit_content(user, instance.region_id)


PUBLISH_WORKFLOW = Workflow(
    "portal_content",
    {
        (S.DRAFT, "publish"): Transition(S.PUBLISHED, _editor),
        (S.WITHDRAWN, "publish"): Transition(S.PUBLISHED, _editor),
        (S.PUBLISHED, "withdraw"): Transition(S.WITHDRAWN, _editor),
    },
    state_labels=dict(PublishState.choices),
    action_labels={"publish": _("发布"), "withdraw": _("撤下")},
)

POLICY_FIELDS = (
    "title",
    "document_no",
    "issuer",
    "category",
    "summary",
    "conditions",
    "how_to_apply",
    "effective_from",
    "effective_until",
)
NOTICE_FIELDS = ("kind", "title", "body")
GUIDE_FIELDS = (
    "name",
    "department",
    "who_can_apply",
    "materials",
    "procedure",
    "time_limit_days",
    "fee",
    "basis",
    "contact",
    "online_link",
    "position",
)


def _validated(instance, fields) -> None:
    """Run the model's field validation on `fields`; the first problem becomes a DomainError on its field."""
    excluded = [f.name for f in instance._meta.fields if f.name not in fields]
    try:
        instance.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=name if name != "__all__" else None) from None
    if getattr(instance, "effective_from", None) and getattr(instance, "effective_until", None):
        if instance.effective_until < instance.effective_from:
            raise DomainError(_("有效期至不能早于施行日期。"), field="effective_until")


def _create(model, fields, *, region, values: dict, by):
    require(perm.can_edit_content(by, region.pk if region is not None else None))
    instance = model(region=region, **{k: values[k] for k in fields if k in values})
    _validated(instance, fields)
    instance.save()
    return instance


def _update(instance, fields, *, values: dict, expected_version, by):
    require(perm.can_edit_content(by, instance.region_id))
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    require(perm.can_edit_content(by, locked.region_id))
    locked.check_version(expected_version)
    for name in fields:
        if name in values:
            setattr(locked, name, values[name])
    _validated(locked, fields)
    locked.bump_version()
    locked.save()
    return locked


def _stamp(locked) -> None:
    """The first publication dates the item; publishing again after a withdrawal keeps that date."""
    if hasattr(locked, "published_at") and locked.published_at is None:
        locked.published_at = timezone.now()


def _publish(instance, *, expected_version, by):
    return PUBLISH_WORKFLOW.apply(
        instance=instance, action="publish", by=by, expected_version=expected_version, change=_stamp
    )


def _withdraw(instance, *, reason: str, expected_version, by):
    return PUBLISH_WORKFLOW.apply(
        instance=instance, action="withdraw", by=by, reason=reason, expected_version=expected_version
    )


# ---------------------------------------------------------------------------------------------------------
# Policies


def _check_document(title: str, upload) -> str:
    title = (title or "").strip() or (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:120]
    if upload is None:
        raise DomainError(_("请选择要上传的文件。"), field="file")
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from None
    return title[:120]


@acting
@transaction.atomic
def policy_create(*, region, values: dict, documents=(), related_calls=None, by) -> Policy:
    """A draft policy of `region`, with its documents [(title, upload)] and related calls."""
    policy = _create(Policy, POLICY_FIELDS, region=region, values=values, by=by)
    for title, upload in documents:
        PolicyDocument.objects.create(policy=policy, title=_check_document(title, upload), file=upload)
    if related_calls is not None:
        policy.related_calls.set(related_calls)
    return policy


@acting
@transaction.atomic
def policy_update(*, policy: Policy, values: dict, related_calls=None, expected_version=None, by) -> Policy:
    """Change a policy's text (in any state: a published policy is corrected in place, and audited)."""
    locked = _update(policy, POLICY_FIELDS, values=values, expected_version=expected_version, by=by)
    if related_calls is not None:
        locked.related_calls.set(related_calls)
    return locked


@acting
@transaction.atomic
def policy_document_add(*, policy: Policy, title: str, file, by) -> PolicyDocument:
    """Attach a document (PDF or image, checked by its content) to a policy."""
    require(perm.can_edit_content(by, policy.region_id))
    return PolicyDocument.objects.create(policy=policy, title=_check_document(title, file), file=file)


@acting
@transaction.atomic
def policy_document_remove(*, document: PolicyDocument, by) -> None:
    require(perm.can_edit_content(by, document.policy.region_id))
    document.file.delete(save=False)
    document.delete()


@acting
def policy_publish(*, policy: Policy, expected_version=None, by) -> Policy:
    """Make a draft or withdrawn policy public."""
    return _publish(policy, expected_version=expected_version, by=by)


@acting
def policy_withdraw(*, policy: Policy, reason: str = "", expected_version=None, by) -> Policy:
    """Take a published policy off the portal (e.g. expired or superseded)."""
    return _withdraw(policy, reason=reason, expected_version=expected_version, by=by)


# ---------------------------------------------------------------------------------------------------------
# Notices and news


def _check_attachment(upload) -> None:
    if upload:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="attachment") from None


@acting
@transaction.atomic
def notice_create(*, region, values: dict, attachment=None, by) -> Notice:
    """A draft notice or news item of `region`."""
    _check_attachment(attachment)
    notice = _create(Notice, NOTICE_FIELDS, region=region, values=values, by=by)
    if attachment:
        notice.attachment = attachment
        notice.save(update_fields=["attachment"])
    return notice


@acting
@transaction.atomic
def notice_update(*, notice: Notice, values: dict, attachment=None, expected_version=None, by) -> Notice:
    _check_attachment(attachment)
    locked = _update(notice, NOTICE_FIELDS, values=values, expected_version=expected_version, by=by)
    if attachment:
        locked.attachment = attachment
        locked.save(update_fields=["attachment"])
    return locked


@acting
def notice_publish(*, notice: Notice, expected_version=None, by) -> Notice:
    return _publish(notice, expected_version=expected_version, by=by)


@acting
def notice_withdraw(*, notice: Notice, reason: str = "", expected_version=None, by) -> Notice:
    return _withdraw(notice, reason=reason, expected_version=expected_version, by=by)


# ---------------------------------------------------------------------------------------------------------
# The service guide


@acting
@transaction.atomic
def guide_create(*, region, values: dict, by) -> ServiceGuide:
    """A draft entry of the service guide (科技服务手册) of `region`."""
    return _create(ServiceGuide, GUIDE_FIELDS, region=region, values=values, by=by)


@acting
@transaction.atomic
def guide_update(*, guide: ServiceGuide, values: dict, expected_version=None, by) -> ServiceGuide:
    return _update(guide, GUIDE_FIELDS, values=values, expected_version=expected_version, by=by)


@acting
def guide_publish(*, guide: ServiceGuide, expected_version=None, by) -> ServiceGuide:
    return _publish(guide, expected_version=expected_version, by=by)


@acting
def guide_withdraw(*, guide: ServiceGuide, reason: str = "", expected_version=None, by) -> ServiceGuide:
    return _withdraw(guide, reason=reason, expected_version=expected_version, by=by)
