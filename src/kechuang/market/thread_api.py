"""API of negotiation threads (洽谈), mounted at /api/market: the same selectors, predicates and services as the
pages. A thread is read only by its parties, its broker and the bureau of the listing's region."""

from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.errors import DomainError
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require

from .models import Listing, Message
from .permissions import can_view_listing, can_view_market_figures, can_view_thread, thread_side
from .thread_filters import ThreadFilter
from .threads import (
    brokers_available,
    message_post,
    thread_actions,
    thread_contracts,
    thread_funnel,
    thread_get,
    thread_history,
    thread_messages,
    thread_set_broker,
    thread_side_of_message,
    thread_start,
    thread_transition,
    threads_for_funnel,
    threads_visible_to,
)

router = Router(tags=["market"])


class OrganizationRef(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class ThreadOut(Schema):
    id: int
    listing_id: int
    listing_title: str
    listing_kind: str
    counter_listing_id: int | None
    owner: OrganizationRef
    party: OrganizationRef
    broker: PersonOut | None
    state: str
    state_label: str
    state_since: datetime
    intent_amount: Decimal | None
    last_message_at: datetime | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_listing_title(obj):
        return obj.listing.title

    @staticmethod
    def resolve_listing_kind(obj):
        return obj.listing.kind

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class MessageOut(Schema):
    id: int
    author: PersonOut | None
    side: str
    body: str
    attachment_name: str
    attachment_url: str | None
    created_at: datetime

    @staticmethod
    def resolve_side(obj):
        return getattr(obj, "side", "")

    @staticmethod
    def resolve_attachment_url(obj):
        return reverse("api:market_thread_attachment", args=[obj.pk]) if obj.attachment else None


class TransitionOut(Schema):
    at: datetime
    actor: str
    from_state: str
    to_state: str
    reason: str


class ContractOut(Schema):
    id: int
    registration_no: str | None
    title: str
    contract_type: str
    transaction_amount: Decimal
    registered_on: date | None


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut]
    transitions: list[TransitionOut]
    contracts: list[ContractOut]
    allowed_actions: list[str]
    my_side: str | None

    # _detail() reads these once; the resolvers only hand them over.
    @staticmethod
    def resolve_messages(obj):
        return obj.api_messages

    @staticmethod
    def resolve_transitions(obj):
        return obj.api_transitions

    @staticmethod
    def resolve_contracts(obj):
        return obj.api_contracts

    @staticmethod
    def resolve_allowed_actions(obj):
        return obj.api_actions

    @staticmethod
    def resolve_my_side(obj):
        return obj.api_side


class ThreadFilters(Schema):
    q: str | None = None
    state: str | None = None
    reached: str | None = None
    kind: str | None = None
    tech_field: str | None = None
    since: date | None = None
    until: date | None = None
    listing: int | None = None


class ThreadStartIn(Schema):
    listing_id: int
    message: str
    counter_listing_id: int | None = None


class TransitionIn(Schema):
    action: str
    reason: str = ""
    intent_amount: Decimal | None = None
    version: int | None = None


class BrokerIn(Schema):
    broker_id: int | None = None
    version: int | None = None


class FunnelStageOut(Schema):
    state: str
    label: str
    reached: int
    current: int
    conversion: Decimal | None


class FunnelOut(Schema):
    since: date
    until: date
    total: int
    failed: int
    stages: list[FunnelStageOut]


class FunnelFilters(Schema):
    since: date | None = None
    until: date | None = None
    kind: str | None = None
    tech_field: str | None = None


def _visible(request, pk: int):
    thread = thread_get(pk=pk)
    if thread is None:
        raise Http404
    require(can_view_thread(request.user, thread))
    return thread


def _detail(request, thread):
    """The thread with its messages, its audited transitions, its registered contracts and what the caller may do."""
    user = request.user
    thread.api_messages = thread_messages(thread)
    thread.api_transitions = [
        {
            "at": line.at,
            "actor": str(line.actor) if line.actor_id and line.actor else line.actor_name,
            "from_state": line.from_state,
            "to_state": line.to_state,
            "reason": line.reason,
        }
        for line in thread_history(thread)
        if line.action == AuditLog.Action.TRANSITION
    ]
    thread.api_contracts = thread_contracts(thread)
    thread.api_actions = [action for action, _label in thread_actions(thread, user)]
    thread.api_side = thread_side(user, thread)
    return thread


@router.get("/threads", response=list[ThreadOut], summary="我的洽谈")
@paginate(PageNumberPagination, page_size=50)
def thread_list(request, filters: Query[ThreadFilters]):
    """The caller's threads: their organization's, those they follow as broker, or (bureau and officers) those
    about listings of their region."""
    return filtered(ThreadFilter, filters, threads_visible_to(user=request.user), request)


@router.get("/threads/funnel", response=FunnelOut, summary="洽谈漏斗")
def thread_funnel_api(request, filters: Query[FunnelFilters]):
    """Threads started in the period (this year by default) by stage, for the caller's region."""
    require(can_view_market_figures(request.user))
    today = timezone.localdate()
    data = {
        "since": filters.since or today.replace(month=1, day=1),
        "until": filters.until or today,
        "kind": filters.kind or "",
        "tech_field": filters.tech_field or "",
    }
    result = thread_funnel(threads_for_funnel(user=request.user, **data))
    return {
        "since": data["since"],
        "until": data["until"],
        "total": result.total,
        "failed": result.failed,
        "stages": [stage.__dict__ for stage in result.stages],
    }


@router.get("/threads/{pk}", response=ThreadDetailOut, summary="洽谈详情")
def thread_detail(request, pk: int):
    return _detail(request, _visible(request, pk))


@router.post("/threads", response={200: ThreadDetailOut, 201: ThreadDetailOut}, summary="发起洽谈")
def thread_start_api(request, payload: ThreadStartIn):
    """Start a negotiation on a published listing; 200 with the existing thread when the caller's organization
    already has one (the message is added to it while it is open)."""
    listing = Listing.objects.filter(pk=payload.listing_id).first()
    if listing is None or not can_view_listing(request.user, listing):
        raise Http404
    counter = None
    if payload.counter_listing_id is not None:
        counter = Listing.objects.filter(pk=payload.counter_listing_id).first()
        if counter is None:
            raise DomainError(_("对方供需信息不存在。"), field="counter_listing_id")
    thread = thread_start(listing=listing, message=payload.message, counter_listing=counter, by=request.user)
    status = 201 if thread.just_started else 200
    return Status(status, _detail(request, thread_get(pk=thread.pk)))


@router.post("/threads/{pk}/messages", response={201: MessageOut}, summary="发送洽谈消息")
def message_post_api(request, pk: int, body: Form[str] = "", attachment: File[UploadedFile | None] = None):
    """A message (multipart/form-data: `body` and an optional `attachment` file). The author is always the caller."""
    thread = _visible(request, pk)
    message = message_post(thread=thread, body=body, attachment=attachment, by=request.user)
    message.side = thread_side_of_message(message, thread)
    return Status(201, message)


@router.post("/threads/{pk}/transitions", response=ThreadDetailOut, summary="变更洽谈状态")
def thread_transition_api(request, pk: int, payload: TransitionIn):
    """Actions: negotiate, intent (optional intent_amount), contract, close, fail (reason required)."""
    thread = _visible(request, pk)
    thread_transition(
        thread=thread,
        action=payload.action,
        reason=payload.reason,
        intent_amount=payload.intent_amount,
        expected_version=payload.version,
        by=request.user,
    )
    return _detail(request, thread_get(pk=pk))


@router.post("/threads/{pk}/broker", response=ThreadDetailOut, summary="指定技术经纪人")
def thread_broker_api(request, pk: int, payload: BrokerIn):
    """Invite or assign a broker (`broker_id`), or remove the broker (null)."""
    thread = _visible(request, pk)
    broker = None
    if payload.broker_id is not None:
        broker = brokers_available().filter(pk=payload.broker_id).first()
        if broker is None:
            raise DomainError(_("所选用户不是技术经纪人。"), field="broker_id")
    thread_set_broker(thread=thread, broker=broker, expected_version=payload.version, by=request.user)
    return _detail(request, thread_get(pk=pk))


@router.get("/threads/messages/{pk}/attachment", url_name="market_thread_attachment", summary="下载洽谈附件")
def message_attachment_api(request, pk: int):
    message = Message.objects.select_related("thread__listing").filter(pk=pk).first()
    if message is None or not message.attachment:
        raise Http404
    require(can_view_thread(request.user, message.thread))
    response = FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=message.attachment_name or message.attachment.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response
