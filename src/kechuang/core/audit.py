"""The audit trail: who changed what, when, from where.

Creates, changes and deletes of audited records are captured by signals, so pages, API, admin and
scripts are recorded alike; workflow transitions are recorded explicitly with `record_transition`.
The acting user and address come from `audit_context`, which the middleware opens per request and
services and commands may open themselves.
"""

import contextvars
import functools
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import AuditedModel, AuditLog


@dataclass(frozen=True)
class AuditContext:
    actor: object | None = None
    ip_address: str | None = None
    request: object | None = None  # read at record time: login or token auth may change request.user


_current = contextvars.ContextVar("kechuang_audit_context", default=AuditContext())  # noqa: B039  frozen


@contextmanager
def audit_context(*, actor=None, ip_address: str | None = None, request=None):
    """Attribute every audit record written inside the block to `actor` (or the request's user)."""
    previous = _current.get()
    token = _current.set(
        AuditContext(
            actor=actor or previous.actor,
            ip_address=ip_address or previous.ip_address,
            request=request or previous.request,
        )
    )
    try:
        yield
    finally:
        _current.reset(token)


def _actor_fields(actor) -> dict:
    context = _current.get()
    if actor is None:
        actor = context.actor
    if actor is None and context.request is not None:
        actor = getattr(context.request, "user", None)
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor": actor, "actor_name": actor.get_username(), "ip_address": context.ip_address}
    return {"actor": None, "actor_name": "", "ip_address": context.ip_address}


def record(
    *,
    action: str,
    instance,
    by=None,
    changes: dict | None = None,
    reason: str = "",
    from_state: str = "",
    to_state: str = "",
) -> AuditLog:
    """Write one audit line about `instance`."""
    return AuditLog.objects.create(
        action=action,
        content_type=ContentType.objects.get_for_model(instance._meta.model),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=changes or {},
        reason=reason,
        from_state=from_state,
        to_state=to_state,
        region_code=getattr(instance, "region_id", None) or "",
        **_actor_fields(by),
    )


def record_transition(*, instance, by, from_state: str, to_state: str, reason: str = "") -> AuditLog:
    """Record a workflow transition (who, when, from, to, why)."""
    return record(
        action=AuditLog.Action.TRANSITION,
        instance=instance,
        by=by,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes={"state": [from_state, to_state]},
    )


def _is_audited(sender) -> bool:
    return issubclass(sender, AuditedModel) or getattr(sender, "audited", False)


def _values(instance) -> dict:
    if isinstance(instance, AuditedModel):
        return instance.audit_values()
    excluded = getattr(instance, "audit_exclude", ())
    return {
        f.name: f.value_to_string(instance) for f in instance._meta.concrete_fields if f.name not in excluded
    }


@receiver(pre_save)
def _remember_old_values(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or instance.pk is None:
        return
    if not hasattr(instance, "_audit_snapshot"):
        # An instance not loaded from the database (e.g. built by hand with a pk): read it once.
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._audit_snapshot = _values(old) if old is not None else None


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    new = _values(instance)
    old = None if created else getattr(instance, "_audit_snapshot", None)
    if old is None:
        changes = {name: [None, value] for name, value in new.items() if value not in (None, "")}
        record(action=AuditLog.Action.CREATE, instance=instance, changes=changes)
    else:
        changes = {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}
        if not changes:
            return
        record(action=AuditLog.Action.UPDATE, instance=instance, changes=changes)
    instance._audit_snapshot = new


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    changes = {name: [value, None] for name, value in _values(instance).items() if value not in (None, "")}
    record(action=AuditLog.Action.DELETE, instance=instance, changes=changes)


def acting(func):
    """Decorate a service so the audit records it writes name its `by=` user as the actor."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        by = kwargs.get("by")
        if by is None or not getattr(by, "is_authenticated", False):
            return func(*args, **kwargs)
        with audit_context(actor=by):
            return func(*args, **kwargs)

    return wrapper
