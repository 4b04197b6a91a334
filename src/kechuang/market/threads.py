"""洽谈 (negotiation threads): a conversation between a listing's owner and an interested organization, optionally
followed by a broker (技术经纪人), moving contacted → negotiating → intent → contract → closed, or failed.

Invariants:
* One thread per listing and interested organization; starting a second time opens the one that exists.
* Messages are never edited or deleted; attachments are served only through a permission-checked view.
* Every state change goes through THREAD_WORKFLOW.apply (lock, state check, role check, audit); the owner's
  first reply moves a thread from contacted to negotiating by itself.
* Lists are scoped here: an organization's users see the threads it takes part in, a broker the threads they
  are assigned to, the bureau and officers the threads about listings of their region.
"""

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.accounts.enums import Role
from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require
from kechuang.core.scoping import scope_by_region
from kechuang.core.validators import validate_upload
from kechuang.core.workflow import Transition, Workflow

from . import thread_jobs  # noqa: F401  registers market.thread_notify where the services run
from .enums import ContractState, ListingKind, ListingState, ThreadState
from .models import ContractRegistration, Listing, Message, Thread
from .permissions import (
    MARKET_MEMBER_ROLES,
    OPEN_THREAD_STATES,
    can_move_thread,
    can_post_in_thread,
    can_set_thread_broker,
    can_start_thread,
    thread_side,
)

User = get_user_model()
S = ThreadState

MAX_BODY = 5000

# ---------------------------------------------------------------------------------------------------------
# The workflow

THREAD_WORKFLOW = Workflow(
    "thread",
    {
        (S.CONTACTED, "negotiate"): Transition(S.NEGOTIATING, can_move_thread),
        (S.CONTACTED, "fail"): Transition(S.FAILED, can_move_thread, needs_reason=True),
        (S.NEGOTIATING, "intent"): Transition(S.INTENT, can_move_thread),
        (S.NEGOTIATING, "fail"): Transition(S.FAILED, can_move_thread, needs_reason=True),
        (S.INTENT, "contract"): Transition(S.CONTRACT, can_move_thread),
        (S.INTENT, "fail"): Transition(S.FAILED, can_move_thread, needs_reason=True),
        (S.CONTRACT, "close"): Transition(S.CLOSED, can_move_thread),
        (S.CONTRACT, "fail"): Transition(S.FAILED, can_move_thread, needs_reason=True),
    },
    state_labels=dict(ThreadState.choices),
    action_labels={
        "negotiate": gettext_lazy("进入洽谈"),
        "intent": gettext_lazy("达成意向"),
        "contract": gettext_lazy("已签合同"),
        "close": gettext_lazy("洽谈完成"),
        "fail": gettext_lazy("终止洽谈"),
    },
)
THREAD_ACTIONS = tuple(dict.fromkeys(action for (_state, action) in THREAD_WORKFLOW.transitions))

# The stages of the funnel, in order; failed is outside it.
STAGES = (S.CONTACTED, S.NEGOTIATING, S.INTENT, S.CONTRACT, S.CLOSED)


# ---------------------------------------------------------------------------------------------------------
# Attachments

ATTACHMENT_EXTENSIONS = (".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png")
# An Office file is a zip archive: the part that makes it a document or a workbook.
_OFFICE_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def validate_attachment(upload) -> None:
    """Accept a PDF, Word (.docx), Excel (.xlsx), JPG or PNG file within the upload size limit, whose content
    matches its extension (core.validators checks PDF and images; Office files are checked here)."""
    name = (upload.name or "").lower()
    extension = PurePath(name).suffix
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("只接受 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。"), code="file_type"
        )
    part = _OFFICE_PARTS.get(extension)
    if part is None:
        validate_upload(upload)
        return
    limit = settings.KECHUANG_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    try:
        upload.seek(0)
        names = set(zipfile.ZipFile(upload).namelist()) if upload.read(4) == b"PK\x03\x04" else set()
    except zipfile.BadZipFile:
        names = set()
    finally:
        upload.seek(0)
    if part not in names:
        raise ValidationError(
            _("文件内容与扩展名不符，请上传真实的 Word（.docx）或 Excel（.xlsx）文件。"), code="file_type"
        )


def _original_name(upload) -> str:
    name = PurePath((upload.name or "").replace("\\", "/")).name
    suffix = PurePath(name).suffix
    return name if len(name) <= 200 else name[: 200 - len(suffix)] + suffix


# ---------------------------------------------------------------------------------------------------------
# Reads


def threads_visible_to(*, user) -> QuerySet[Thread]:
    """Threads `user` may read: their organization's, the ones they follow as broker, or (bureau and officers)
    those about listings of their region."""
    qs = Thread.objects.select_related("listing", "owner", "party", "broker", "counter_listing")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user, field="listing__region")
    if user.role == Role.BROKER:
        return qs.filter(broker=user)
    organization_id = user.active_organization_id
    if organization_id is not None and user.role in MARKET_MEMBER_ROLES:
        return qs.filter(Q(owner_id=organization_id) | Q(party_id=organization_id))
    return qs.none()


def thread_get(*, pk) -> Thread | None:
    """The thread `pk` with what its page and predicates read, or None; the caller checks can_view_thread."""
    return (
        Thread.objects.select_related(
            "listing", "listing__region", "owner", "party", "broker", "counter_listing", "started_by"
        )
        .filter(pk=pk)
        .first()
    )


def thread_of(*, listing: Listing, organization_id: int | None) -> Thread | None:
    if organization_id is None:
        return None
    return Thread.objects.filter(listing=listing, party_id=organization_id).first()


def _thread_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Thread)


def failed_from() -> Subquery:
    """The state a failed thread failed from (from its audited transition), for the funnel's "reached"."""
    return Subquery(
        AuditLog.objects.filter(
            content_type_id=_thread_content_type().pk,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            action=AuditLog.Action.TRANSITION,
            to_state=S.FAILED,
        )
        .order_by("-at", "-id")
        .values("from_state")[:1]
    )


def threads_reached(qs: QuerySet[Thread], stage: str) -> QuerySet[Thread]:
    """Threads that got at least as far as `stage`, including those that failed after it."""
    later = STAGES[STAGES.index(stage) :]
    return qs.annotate(failed_from=failed_from()).filter(
        Q(state__in=later) | Q(state=S.FAILED, failed_from__in=later)
    )


def thread_side_of_message(message: Message, thread: Thread) -> str:
    """Which side wrote `message`: "owner", "party" or "broker" (by the author's organization and role)."""
    author = message.author
    if author is None:
        return ""
    if author.organization_id == thread.owner_id and author.role in MARKET_MEMBER_ROLES:
        return "owner"
    if author.organization_id == thread.party_id and author.role in MARKET_MEMBER_ROLES:
        return "party"
    if author.role == Role.BROKER:
        return "broker"
    return ""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a thread's timeline: a message, a state change, or a broker change."""

    at: datetime
    kind: str  # "message" | "transition" | "broker"
    message: Message | None = None
    side: str = ""
    actor: str = ""
    from_label: str = ""
    to_label: str = ""
    to_state: str = ""
    reason: str = ""
    broker: str = ""


def thread_messages(thread: Thread) -> list[Message]:
    messages = list(thread.messages.select_related("author").order_by("created_at", "pk"))
    for message in messages:
        message.side = thread_side_of_message(message, thread)
    return messages


def thread_history(thread: Thread) -> list[AuditLog]:
    """The audited state changes and broker changes of the thread, oldest first."""
    return list(
        AuditLog.objects.filter(content_type_id=_thread_content_type().pk, object_id=str(thread.pk))
        .filter(
            Q(action=AuditLog.Action.TRANSITION) | Q(action=AuditLog.Action.UPDATE, changes__has_key="broker")
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def thread_timeline(thread: Thread) -> list[TimelineEntry]:
    """Messages, transitions (who, when, from, to, why) and broker changes, in the order they happened."""
    labels = dict(ThreadState.choices)
    entries = [
        TimelineEntry(at=m.created_at, kind="message", message=m, side=m.side, actor=str(m.author or ""))
        for m in thread_messages(thread)
    ]
    history = thread_history(thread)
    broker_ids = {
        int(line.changes["broker"][1])
        for line in history
        if line.action == AuditLog.Action.UPDATE and (line.changes["broker"][1] or "").isdigit()
    }
    brokers = User.objects.in_bulk(broker_ids) if broker_ids else {}
    for line in history:
        actor = str(line.actor) if line.actor_id and line.actor else line.actor_name
        if line.action == AuditLog.Action.TRANSITION:
            entries.append(
                TimelineEntry(
                    at=line.at,
                    kind="transition",
                    actor=actor,
                    from_label=str(labels.get(line.from_state, line.from_state)),
                    to_label=str(labels.get(line.to_state, line.to_state)),
                    to_state=line.to_state,
                    reason=line.reason,
                )
            )
        else:
            new = line.changes["broker"][1]
            broker = brokers.get(int(new)) if new and str(new).isdigit() else None
            entries.append(
                TimelineEntry(at=line.at, kind="broker", actor=actor, broker=str(broker) if broker else "")
            )
    entries.sort(key=lambda e: e.at)
    return entries


def thread_contracts(thread: Thread) -> list[ContractRegistration]:
    """The registered technology contracts that came from this thread."""
    return list(
        ContractRegistration.objects.filter(thread=thread, state=ContractState.REGISTERED).order_by(
            "signed_on", "pk"
        )
    )


def brokers_available() -> QuerySet:
    """Brokers (技术经纪人) one may invite or assign."""
    return User.objects.filter(role=Role.BROKER, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


# --- the funnel


@dataclass(frozen=True)
class FunnelStage:
    state: str
    label: str
    reached: int  # threads that got at least this far (including those that failed later)
    current: int  # threads in this state now
    conversion: Decimal | None  # reached / reached of the previous stage, in per cent


@dataclass(frozen=True)
class Funnel:
    stages: list[FunnelStage]
    failed: int
    total: int


def funnel_from_counts(counts: dict[tuple[str, str | None], int]) -> Funnel:
    """Build the funnel from {(state, failed_from): threads}: a failed thread counts as having reached the
    state it failed from (contacted when unknown). Pure, tested without a database."""
    labels = dict(ThreadState.choices)
    rank = {state: i for i, state in enumerate(STAGES)}
    at_least = [0] * len(STAGES)
    current = dict.fromkeys(STAGES, 0)
    failed = 0
    for (state, source), n in counts.items():
        if state == S.FAILED:
            failed += n
            furthest = rank.get(source, 0)
        else:
            current[state] = current.get(state, 0) + n
            furthest = rank.get(state, 0)
        for i in range(furthest + 1):
            at_least[i] += n
    stages = []
    for i, state in enumerate(STAGES):
        conversion = None
        if i and at_least[i - 1]:
            conversion = (Decimal(at_least[i]) * 100 / at_least[i - 1]).quantize(Decimal("0.1"))
        stages.append(FunnelStage(state, str(labels[state]), at_least[i], current[state], conversion))
    return Funnel(stages=stages, failed=failed, total=at_least[0])


def threads_in_period(qs: QuerySet[Thread], *, since: date | None, until: date | None) -> QuerySet[Thread]:
    """Threads started in the period (dates in Asia/Shanghai)."""
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    if until is not None:
        qs = qs.filter(created_at__date__lte=until)
    return qs


def threads_for_funnel(
    *, user, since: date | None, until: date | None, kind: str = "", tech_field: str = ""
) -> QuerySet[Thread]:
    """The threads the funnel counts: the user's scope (the bureau: its region, by the listing's region), started
    in the period, of the listing kind and tech field chosen."""
    qs = threads_in_period(threads_visible_to(user=user), since=since, until=until)
    if kind:
        qs = qs.filter(listing__kind=kind)
    if tech_field:
        qs = qs.filter(listing__tech_field=tech_field)
    return qs


def thread_funnel(qs: QuerySet[Thread]) -> Funnel:
    """The funnel of the threads of `qs` (already scoped and filtered), in one query."""
    rows = (
        qs.order_by()
        .annotate(source=failed_from())
        .values("state", "source")
        .annotate(n=Count("pk"))
        .values_list("state", "source", "n")
    )
    counts: dict[tuple[str, str | None], int] = {}
    for state, source, n in rows:
        key = (state, source if state == S.FAILED else None)
        counts[key] = counts.get(key, 0) + n
    return funnel_from_counts(counts)


# ---------------------------------------------------------------------------------------------------------
# Writes


def _check_body(body: str, *, field: str, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise DomainError(_("请填写消息内容。"), field=field)
    if len(body) > MAX_BODY:
        raise DomainError(_("消息内容不能超过 %(n)s 字。") % {"n": MAX_BODY}, field=field)
    return body


def _message_create(*, thread: Thread, body: str, by, attachment=None) -> Message:
    message = Message(thread=thread, author=by, body=body, created_at=timezone.now())
    if attachment is not None:
        try:
            validate_attachment(attachment)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="attachment") from exc
        message.attachment_name = _original_name(attachment)
        # Stored under a random name: the original name is kept for the download only.
        message.attachment.save(
            uuid4().hex + PurePath(attachment.name).suffix.lower(), attachment, save=False
        )
    message.save()
    # Bookkeeping, not a change of the negotiation: no version bump (an open form stays valid), no audit line.
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread.last_message_at = message.created_at
    return message


def _notify(thread: Thread, event: str, *, by, **extra) -> None:
    enqueue("market.thread_notify", thread_id=thread.pk, event=event, actor_id=by.pk, **extra)


@acting
@transaction.atomic
def thread_start(
    *, listing: Listing, by, message: str, counter_listing: Listing | None = None, attachment=None
) -> Thread:
    """Start a negotiation about a published listing for the user's organization, with a first message.

    Once per organization and listing: a second start returns the existing thread (posting the message in it
    while it is open). The returned thread's `just_started` says which happened.
    """
    locked = Listing.objects.select_for_update().get(pk=listing.pk)  # two starts at once: one creates
    require(can_start_thread(by, locked))
    if not (message or "").strip():
        raise DomainError(_("请填写洽谈留言。"), field="message")
    body = _check_body(message, field="message", required=True)
    organization_id = by.active_organization_id
    if counter_listing is not None:
        if counter_listing.organization_id != organization_id:
            raise DomainError(_("只能选择本单位发布的供需信息。"), field="counter_listing")
        if counter_listing.kind == locked.kind:
            raise DomainError(
                _("对方信息应为%(kind)s。")
                % {
                    "kind": ListingKind.ACHIEVEMENT.label
                    if locked.kind == ListingKind.DEMAND
                    else ListingKind.DEMAND.label
                },
                field="counter_listing",
            )
        if counter_listing.state != ListingState.PUBLISHED:
            raise DomainError(_("只能选择本单位已发布的供需信息。"), field="counter_listing")
    existing = thread_of(listing=locked, organization_id=organization_id)
    if existing is not None:
        if existing.state in OPEN_THREAD_STATES:
            message_post(thread=existing, body=body, attachment=attachment, by=by)
            existing.refresh_from_db()
        existing.just_started = False
        return existing
    thread = Thread.objects.create(
        listing=locked,
        counter_listing=counter_listing,
        owner_id=locked.organization_id,
        party_id=organization_id,
        started_by=by,
    )
    _message_create(thread=thread, body=body, by=by, attachment=attachment)
    _notify(thread, "started", by=by)
    thread.just_started = True
    return thread


@acting
@transaction.atomic
def message_post(*, thread: Thread, body: str, by, attachment=None) -> Message:
    """Post a message (with an optional attachment) in an open thread, as one of its parties or its broker.

    The owner's first reply to a thread still "contacted" moves it to "negotiating" (recorded as a transition
    by the replying user).
    """
    locked = Thread.objects.select_for_update().select_related("listing").get(pk=thread.pk)
    require(can_post_in_thread(by, locked))
    body = _check_body(body, field="body", required=attachment is None)
    message = _message_create(thread=locked, body=body, by=by, attachment=attachment)
    _notify(locked, "message", by=by, message_id=message.pk)
    if locked.state == S.CONTACTED and thread_side(by, locked) == "owner":
        moved = THREAD_WORKFLOW.apply(instance=locked, action="negotiate", by=by, reason=_("发布方首次回复"))
        _notify(moved, "transition", by=by, version=moved.version)
    return message


def _intent_amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise DomainError(_("意向金额格式不正确。"), field="intent_amount") from exc
    if not amount.is_finite() or amount < 0:
        raise DomainError(_("意向金额不能为负数。"), field="intent_amount")
    if amount >= Decimal("1e14"):
        raise DomainError(_("意向金额过大。"), field="intent_amount")
    return amount.quantize(Decimal("0.01"))


@acting
@transaction.atomic
def thread_transition(
    *,
    thread: Thread,
    action: str,
    by,
    reason: str = "",
    intent_amount=None,
    expected_version: int | None = None,
) -> Thread:
    """Move a thread along THREAD_WORKFLOW as one of its parties; failing needs a reason, an intent may carry
    an amount (yuan). A stale `expected_version` is refused with a conflict."""
    amount = _intent_amount(intent_amount) if action == "intent" else None

    def change(locked: Thread) -> None:
        if action == "intent":
            locked.intent_amount = amount

    moved = THREAD_WORKFLOW.apply(
        instance=thread,
        action=action,
        by=by,
        reason=(reason or "").strip()[:500],
        expected_version=expected_version,
        change=change,
    )
    _notify(moved, "transition", by=by, version=moved.version)
    return moved


@acting
@transaction.atomic
def thread_set_broker(*, thread: Thread, broker, by, expected_version: int | None = None) -> Thread:
    """Invite (a party) or assign (the bureau) a broker to an open thread, or remove the broker (None)."""
    locked = Thread.objects.select_for_update().select_related("listing").get(pk=thread.pk)
    require(can_set_thread_broker(by, locked))
    locked.check_version(expected_version)
    if locked.state not in OPEN_THREAD_STATES:
        raise DomainError(_("该洽谈已结束。"))
    if broker is not None and not (broker.is_active and broker.role == Role.BROKER):
        raise DomainError(_("所选用户不是技术经纪人。"), field="broker")
    if (broker.pk if broker else None) == locked.broker_id:
        raise DomainError(
            _("该技术经纪人已在跟进此洽谈。") if broker else _("该洽谈尚未指定技术经纪人。"), field="broker"
        )
    locked.broker = broker
    locked.bump_version()
    locked.save()
    _notify(locked, "broker", by=by, version=locked.version)
    return locked


def thread_actions(thread: Thread, user) -> list[tuple[str, str]]:
    """(action, label) the user may take on the thread now, for the state bar."""
    return [(a, str(THREAD_WORKFLOW.action_labels[a])) for a in THREAD_WORKFLOW.available(thread, user)]
