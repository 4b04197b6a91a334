"""Notifications of negotiation threads (洽谈), sent after the change commits.

`market.thread_notify` tells the people on the other side of an event: the listing's owner when a thread
starts, the other party (and the broker) of a new message, everyone but the actor of a state change, and the
broker who was invited or assigned. A dedupe key per event makes a second run send nothing.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.accounts.enums import MembershipStatus
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .models import Message, Thread

User = get_user_model()


def _members(*organization_ids: int):
    return User.objects.filter(
        organization_id__in=organization_ids, is_active=True, membership_status=MembershipStatus.ACTIVE
    )


def _side_of(user, thread: Thread) -> str:
    if user is None:
        return ""
    if user.organization_id == thread.owner_id:
        return "owner"
    if user.organization_id == thread.party_id:
        return "party"
    return "broker" if user.pk == thread.broker_id else ""


def _broker(thread: Thread) -> list:
    broker = thread.broker
    return [broker] if broker is not None and broker.is_active else []


@job("market.thread_notify")
def thread_notify(
    *,
    thread_id: int,
    event: str,
    actor_id: int | None = None,
    message_id: int | None = None,
    version: int = 0,
) -> int:
    """Notify the people concerned by `event` ("started", "message", "transition", "broker"); returns how
    many messages were created."""
    thread = Thread.objects.select_related("listing", "owner", "party", "broker").get(pk=thread_id)
    link = reverse("market:thread", args=[thread.pk])
    listing = thread.listing.title
    if event == "started":
        first = thread.messages.order_by("created_at", "pk").first()
        return notify(
            recipients=_members(thread.owner_id),
            subject=_("新的洽谈：%(party)s 就“%(listing)s”发起洽谈")
            % {"party": thread.party.name, "listing": listing},
            body=first.body[:500] if first else "",
            link=link,
            dedupe_key=f"thread-{thread.pk}-started",
        )
    if event == "message":
        message = Message.objects.select_related("author").get(pk=message_id, thread=thread)
        side = _side_of(message.author, thread)
        if side == "owner":
            recipients = list(_members(thread.party_id)) + _broker(thread)
        elif side == "party":
            recipients = list(_members(thread.owner_id)) + _broker(thread)
        else:
            recipients = list(_members(thread.owner_id, thread.party_id))
        recipients = [u for u in recipients if u.pk != message.author_id]
        author = str(message.author) if message.author else ""
        return notify(
            recipients=recipients,
            subject=_("洽谈新消息：%(listing)s") % {"listing": listing},
            body=_("%(author)s：%(body)s") % {"author": author, "body": message.body[:500]}
            + (
                ("\n" + _("附件：%(name)s") % {"name": message.attachment_name})
                if message.attachment_name
                else ""
            ),
            link=link,
            dedupe_key=f"thread-{thread.pk}-message-{message.pk}",
        )
    if event == "transition":
        recipients = [
            u for u in list(_members(thread.owner_id, thread.party_id)) + _broker(thread) if u.pk != actor_id
        ]
        return notify(
            recipients=recipients,
            subject=_("洽谈状态更新：%(listing)s（%(state)s）")
            % {"listing": listing, "state": thread.get_state_display()},
            link=link,
            dedupe_key=f"thread-{thread.pk}-v{version}",
        )
    if event == "broker":
        sent = 0
        if thread.broker is not None and thread.broker.is_active and thread.broker_id != actor_id:
            sent += notify(
                recipients=[thread.broker],
                subject=_("请跟进洽谈：%(listing)s") % {"listing": listing},
                body=_("您被指定为 %(owner)s 与 %(party)s 洽谈的技术经纪人。")
                % {"owner": thread.owner.name, "party": thread.party.name},
                link=link,
                dedupe_key=f"thread-{thread.pk}-v{version}-broker",
            )
        return sent
    raise ValueError(f"unknown thread event {event}")
