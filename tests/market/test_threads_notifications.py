"""Notifications of negotiation threads, sent by the background job after each change commits: the owner hears
of a new thread, the other side and the broker of a message, everyone but the actor of a state change, and the
broker of being invited."""

import pytest

from kechuang.core.jobs import run_job_now
from kechuang.core.models import Notification
from kechuang.market.threads import message_post, thread_set_broker, thread_start, thread_transition

from ..factories import UserFactory
from .test_threads import institution_org, make_listing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.jobs]


_handles = []
_bodies: list[str] = []  # the bodies of the messages of the last look (mail goes out where the job runs)


@pytest.fixture(autouse=True)
def _jobs_waited_for(monkeypatch):
    """Keep the handle of every notification job, so a look at the inbox waits for them on whichever backend
    runs them (a Celery worker in the production pass of CI)."""
    from kechuang.core import jobs
    from kechuang.market import threads

    def enqueue(name, **kwargs):
        handle = jobs.enqueue(name, **kwargs)
        _handles.append(handle)
        return handle

    monkeypatch.setattr(threads, "enqueue", enqueue)
    yield
    _handles.clear()


def _inbox() -> set[tuple[str, str]]:
    """(recipient, subject) of the messages sent since the last look; each is sent once."""
    while _handles:
        _handles.pop().wait(60)
    rows = list(Notification.objects.values_list("recipient__username", "subject"))
    _bodies[:] = Notification.objects.values_list("body", flat=True)
    Notification.objects.all().delete()
    assert len(rows) == len(set(rows))
    return set(rows)


def test_each_side_is_told_what_the_other_did():
    from ..conftest import build_world

    world = build_world()
    owner_org = institution_org(world)
    colleague = UserFactory(role="institution", organization=owner_org, region=owner_org.region)
    listing = make_listing(owner_org, title="低温染色技术")
    i, c, a, b = (
        world["institution"].username,
        colleague.username,
        world["ent_a"].username,
        world["broker"].username,
    )

    thread = thread_start(listing=listing, message="希望洽谈技术转让", by=world["ent_a"])
    assert _inbox() == {
        (c, "新的洽谈：柯桥甲纺织有限公司 就“低温染色技术”发起洽谈"),
        (i, "新的洽谈：柯桥甲纺织有限公司 就“低温染色技术”发起洽谈"),
    }
    assert all(body.startswith("希望洽谈技术转让") for body in _bodies) and len(_bodies) == 2

    thread = thread_set_broker(thread=thread, broker=world["broker"], by=world["ent_a"])
    assert _inbox() == {(b, "请跟进洽谈：低温染色技术")}

    message_post(thread=thread, body="欢迎面谈", by=world["institution"])  # also moves it to negotiating
    assert _inbox() == {
        (a, "洽谈新消息：低温染色技术"),
        (a, "洽谈状态更新：低温染色技术（洽谈中）"),
        (b, "洽谈新消息：低温染色技术"),
        (b, "洽谈状态更新：低温染色技术（洽谈中）"),
        (c, "洽谈状态更新：低温染色技术（洽谈中）"),
    }

    message_post(thread=thread, body="我来协助评估", by=world["broker"])
    assert _inbox() == {
        (a, "洽谈新消息：低温染色技术"),
        (c, "洽谈新消息：低温染色技术"),
        (i, "洽谈新消息：低温染色技术"),
    }

    moved = thread_transition(thread=thread, action="intent", intent_amount="300000", by=world["ent_a"])
    assert _inbox() == {
        (b, "洽谈状态更新：低温染色技术（达成意向）"),
        (c, "洽谈状态更新：低温染色技术（达成意向）"),
        (i, "洽谈状态更新：低温染色技术（达成意向）"),
    }
    # A job run twice sends nothing the second time (dedupe key per event).
    kwargs = {
        "thread_id": thread.pk,
        "event": "transition",
        "actor_id": world["ent_a"].pk,
        "version": moved.version,
    }
    assert run_job_now("market.thread_notify", kwargs) == 3
    assert run_job_now("market.thread_notify", kwargs) == 0
