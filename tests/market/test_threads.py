"""Negotiation threads (issue 5 item 4): starting once per organization and listing, posting, the workflow
contacted → negotiating → intent → contract → closed / failed with its audit trail, brokers, attachments."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.market.enums import ListingKind, ListingState, ThreadState
from kechuang.market.models import Listing, Message, Thread
from kechuang.market.permissions import can_view_thread
from kechuang.market.threads import (
    THREAD_WORKFLOW,
    message_post,
    thread_set_broker,
    thread_start,
    thread_timeline,
    thread_transition,
    threads_visible_to,
)

from ..factories import UserFactory, audit_for, region

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_listing(organization, *, kind=ListingKind.ACHIEVEMENT, state=ListingState.PUBLISHED, **extra):
    defaults = {
        "title": "高强度纤维低温染色技术",
        "description": "一种在低温下完成高强纤维染色的工艺。",
        "tech_field": "new_materials",
        "cooperation": "transfer",
        "expires_on": timezone.localdate() + timedelta(days=90),
        "contact_name": "李老师",
        "contact_phone": "0575-88000000",
        "published_at": timezone.now() if state == ListingState.PUBLISHED else None,
    }
    defaults.update(extra)
    return Listing.objects.create(
        kind=kind, organization=organization, region=organization.region, state=state, **defaults
    )


def institution_org(world):
    return world["institution"].organization


def started(world, *, by="ent_a", listing=None, message="我们对该成果很感兴趣，希望进一步了解转让条件。"):
    listing = listing or make_listing(institution_org(world))
    return thread_start(listing=listing, message=message, by=world[by])


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def transitions_of(thread):
    return list(
        audit_for(thread, action=AuditLog.Action.TRANSITION)
        .order_by("at", "id")
        .values_list("actor_name", "from_state", "to_state", "reason")
    )


# --- starting -----------------------------------------------------------------------------------------------


def test_a_thread_is_started_on_a_published_listing_with_its_first_message(world):
    listing = make_listing(institution_org(world))
    thread = thread_start(listing=listing, message="  希望洽谈技术转让。 ", by=world["ent_a"])
    assert thread.just_started is True
    assert (thread.owner_id, thread.party_id, thread.started_by_id) == (
        listing.organization_id,
        world["org_a"].pk,
        world["ent_a"].pk,
    )
    assert thread.state == ThreadState.CONTACTED
    assert list(thread.messages.values_list("author_id", "body")) == [
        (world["ent_a"].pk, "希望洽谈技术转让。")
    ]
    assert Thread.objects.get(pk=thread.pk).last_message_at == thread.messages.get().created_at


def test_a_second_start_opens_the_existing_thread_and_keeps_the_message(world):
    first = started(world)
    again = thread_start(listing=first.listing, message="补充：可以接受分期付款。", by=world["ent_a"])
    assert (again.pk, again.just_started) == (first.pk, False)
    assert Thread.objects.filter(listing=first.listing).count() == 1
    assert (
        list(first.messages.order_by("pk").values_list("body", flat=True))[-1] == "补充：可以接受分期付款。"
    )
    # another user of the same organization also lands in the same thread
    colleague = UserFactory(role="enterprise", organization=world["org_a"], region=world["org_a"].region)
    assert thread_start(listing=first.listing, message="你好", by=colleague).pk == first.pk


def test_start_is_refused_on_an_own_or_unpublished_listing_without_a_message_or_without_an_organization(
    world,
):
    own = make_listing(world["org_a"], kind=ListingKind.DEMAND)
    with pytest.raises(PermissionDenied, match="不能与本单位发布的信息洽谈。"):
        thread_start(listing=own, message="x", by=world["ent_a"])
    draft = make_listing(institution_org(world), state=ListingState.PENDING)
    with pytest.raises(PermissionDenied, match="只能就已发布的供需信息发起洽谈。"):
        thread_start(listing=draft, message="x", by=world["ent_a"])
    listing = make_listing(institution_org(world))
    with pytest.raises(DomainError, match="请填写洽谈留言。"):
        thread_start(listing=listing, message="   ", by=world["ent_a"])
    for who in ("broker", "staff", "expert"):
        with pytest.raises(PermissionDenied, match="请以单位身份登录后发起洽谈。"):
            thread_start(listing=listing, message="x", by=world[who])
    assert Thread.objects.count() == 0


def test_the_counter_listing_must_be_the_starters_own_published_listing_of_the_other_kind(world):
    listing = make_listing(institution_org(world))
    others = make_listing(world["org_b"], kind=ListingKind.DEMAND)
    with pytest.raises(DomainError, match="只能选择本单位发布的供需信息。"):
        thread_start(listing=listing, message="x", counter_listing=others, by=world["ent_a"])
    same_kind = make_listing(world["org_a"], kind=ListingKind.ACHIEVEMENT)
    with pytest.raises(DomainError, match="对方信息应为技术需求。"):
        thread_start(listing=listing, message="x", counter_listing=same_kind, by=world["ent_a"])
    demand = make_listing(world["org_a"], kind=ListingKind.DEMAND)
    thread = thread_start(listing=listing, message="x", counter_listing=demand, by=world["ent_a"])
    assert thread.counter_listing_id == demand.pk


# --- messages and the automatic move ---------------------------------------------------------------------------


def test_the_owners_first_reply_moves_the_thread_to_negotiating_and_is_recorded(world):
    thread = started(world)
    message_post(
        thread=thread, body="谢谢关注，已附上技术资料。", by=world["ent_a"]
    )  # the party again: no move
    assert Thread.objects.get(pk=thread.pk).state == ThreadState.CONTACTED
    message_post(thread=thread, body="欢迎来院里面谈。", by=world["institution"])
    thread.refresh_from_db()
    assert thread.state == ThreadState.NEGOTIATING
    assert transitions_of(thread) == [
        (world["institution"].username, ThreadState.CONTACTED, ThreadState.NEGOTIATING, "发布方首次回复")
    ]
    message_post(thread=thread, body="下周二可以吗？", by=world["institution"])
    assert len(transitions_of(thread)) == 1


def test_only_the_parties_and_the_assigned_broker_post_and_a_message_is_always_the_authors(world):
    thread = started(world)
    for who in ("ent_b", "broker", "staff", "provider"):
        with pytest.raises(PermissionDenied, match="只有洽谈双方和指定的技术经纪人可以发送消息。"):
            message_post(thread=thread, body="插一句", by=world[who])
    message = message_post(thread=thread, body="我方报价见附件", by=world["ent_a"])
    assert message.author_id == world["ent_a"].pk
    entries = [e for e in thread_timeline(thread) if e.kind == "message"]
    assert [(e.side, e.message.body) for e in entries] == [
        ("party", "我们对该成果很感兴趣，希望进一步了解转让条件。"),
        ("party", "我方报价见附件"),
    ]
    with pytest.raises(DomainError, match="请填写消息内容。"):
        message_post(thread=thread, body="  ", by=world["ent_a"])


def test_no_message_is_posted_in_a_finished_thread(world):
    thread = started(world)
    thread_transition(thread=thread, action="fail", reason="对方报价过高", by=world["institution"])
    with pytest.raises(PermissionDenied, match="该洽谈已结束，不能再发送消息。"):
        message_post(thread=thread, body="再考虑一下？", by=world["ent_a"])


# --- the workflow --------------------------------------------------------------------------------------------


def test_the_whole_way_to_closed_is_recorded_who_when_from_to_why(world):
    thread = started(world)
    thread = thread_transition(thread=thread, action="negotiate", by=world["ent_a"])
    thread = thread_transition(
        thread=thread, action="intent", intent_amount="350000", by=world["institution"]
    )
    assert thread.intent_amount == Decimal("350000.00")
    thread = thread_transition(thread=thread, action="contract", reason="合同已签订", by=world["ent_a"])
    thread = thread_transition(thread=thread, action="close", by=world["institution"])
    assert thread.state == ThreadState.CLOSED
    a, i = world["ent_a"].username, world["institution"].username
    assert transitions_of(thread) == [
        (a, "contacted", "negotiating", ""),
        (i, "negotiating", "intent", ""),
        (a, "intent", "contract", "合同已签订"),
        (i, "contract", "closed", ""),
    ]
    shown = [(e.actor, e.from_label, e.to_label) for e in thread_timeline(thread) if e.kind == "transition"]
    assert shown == [
        (str(world["ent_a"]), "已联系", "洽谈中"),
        (str(world["institution"]), "洽谈中", "达成意向"),
        (str(world["ent_a"]), "达成意向", "已签合同"),
        (str(world["institution"]), "已签合同", "已完成"),
    ]


def test_the_workflow_refuses_every_pair_not_in_its_table(world):
    """Every (state, action) pair outside THREAD_WORKFLOW is refused and changes nothing."""
    thread = started(world)
    actions = {action for (_s, action) in THREAD_WORKFLOW.transitions}
    for state in ThreadState.values:
        Thread.objects.filter(pk=thread.pk).update(state=state)
        for action in actions - set(THREAD_WORKFLOW.actions_from(state)):
            with pytest.raises(DomainError, match="当前状态为"):
                thread_transition(thread=thread, action=action, reason="r", by=world["ent_a"])
            assert Thread.objects.get(pk=thread.pk).state == state
    assert transitions_of(thread) == []


def test_failing_needs_a_reason_from_any_open_state(world):
    for n, state in enumerate(["contacted", "negotiating", "intent", "contract"]):
        listing = make_listing(institution_org(world), title=f"成果{n}")
        thread = started(world, listing=listing)
        Thread.objects.filter(pk=thread.pk).update(state=state)
        with pytest.raises(DomainError, match="请填写理由。"):
            thread_transition(thread=thread, action="fail", reason=" ", by=world["ent_a"])
        done = thread_transition(thread=thread, action="fail", reason="技术路线不匹配", by=world["ent_a"])
        assert (done.state, transitions_of(done)) == (
            "failed",
            [(world["ent_a"].username, state, "failed", "技术路线不匹配")],
        )


def test_only_the_parties_move_a_thread(world):
    thread = started(world)
    thread_set_broker(thread=thread, broker=world["broker"], by=world["ent_a"])
    for who in ("broker", "staff", "ent_b", "admin"):
        with pytest.raises(PermissionDenied, match="只有洽谈双方可以变更洽谈状态。"):
            thread_transition(thread=thread, action="negotiate", by=world[who])
    assert Thread.objects.get(pk=thread.pk).state == ThreadState.CONTACTED


def test_a_stale_version_is_refused_with_a_conflict(world):
    thread = started(world)
    read = thread.version
    thread_transition(thread=thread, action="negotiate", expected_version=read, by=world["ent_a"])
    with pytest.raises(ConflictError):
        thread_transition(
            thread=thread, action="fail", reason="x", expected_version=read, by=world["institution"]
        )
    assert Thread.objects.get(pk=thread.pk).state == ThreadState.NEGOTIATING


def test_an_intent_amount_must_be_a_non_negative_number(world):
    thread = started(world)
    thread = thread_transition(thread=thread, action="negotiate", by=world["ent_a"])
    with pytest.raises(DomainError, match="意向金额不能为负数。"):
        thread_transition(thread=thread, action="intent", intent_amount="-1", by=world["ent_a"])
    with pytest.raises(DomainError, match="意向金额格式不正确。"):
        thread_transition(thread=thread, action="intent", intent_amount="三十万", by=world["ent_a"])
    done = thread_transition(thread=thread, action="intent", by=world["ent_a"])
    assert (done.state, done.intent_amount) == (ThreadState.INTENT, None)


# --- brokers ------------------------------------------------------------------------------------------------


def test_a_broker_sees_and_posts_only_while_assigned(world):
    thread = started(world)
    broker = world["broker"]
    assert not can_view_thread(broker, thread)
    assert list(threads_visible_to(user=broker)) == []
    thread = thread_set_broker(thread=thread, broker=broker, by=world["institution"])  # invited by the owner
    assert can_view_thread(broker, thread)
    assert list(threads_visible_to(user=broker)) == [thread]
    message_post(thread=thread, body="我来协助双方评估技术价值。", by=broker)
    entries = [e for e in thread_timeline(thread) if e.kind in ("broker", "message")]
    assert [(e.kind, e.side or e.broker) for e in entries] == [
        ("message", "party"),
        ("broker", str(broker)),
        ("message", "broker"),
    ]
    thread = thread_set_broker(thread=thread, broker=None, by=world["ent_a"])
    assert not can_view_thread(broker, thread)
    with pytest.raises(PermissionDenied):
        message_post(thread=thread, body="还在吗", by=broker)


def test_the_bureau_of_the_listings_region_assigns_a_broker_others_do_not(world):
    thread = started(world)  # the listing is in 越城区
    for who in ("kq_staff", "ent_b", "broker", "leader"):
        with pytest.raises(PermissionDenied, match="只有洽谈双方或属地科技局业务人员可以指定技术经纪人。"):
            thread_set_broker(thread=thread, broker=world["broker"], by=world[who])
    with pytest.raises(DomainError, match="所选用户不是技术经纪人。"):
        thread_set_broker(thread=thread, broker=world["expert"], by=world["staff"])
    done = thread_set_broker(thread=thread, broker=world["broker"], by=world["staff"])
    assert done.broker_id == world["broker"].pk
    line = audit_for(thread, action=AuditLog.Action.UPDATE).get()
    assert (line.actor_name, line.changes["broker"]) == (
        world["staff"].username,
        ["None", str(world["broker"].pk)],
    )


# --- reading --------------------------------------------------------------------------------------------------


def test_who_reads_a_thread(world):
    thread = started(world)  # institution (越城) ← 柯桥甲 (org_a)
    readers = {name for name in world if not name.startswith("org_") and can_view_thread(world[name], thread)}
    # the parties, and the bureau of the city (the listing lies in 越城区 under 绍兴市)
    assert readers == {"ent_a", "institution", "admin", "staff", "leader"}


def test_lists_are_scoped(world):
    kq = make_listing(world["org_a"], kind=ListingKind.DEMAND, title="柯桥需求")
    yc = make_listing(institution_org(world), title="越城成果")
    t1 = thread_start(listing=kq, message="x", by=world["institution"])
    t2 = thread_start(listing=yc, message="y", by=world["ent_a"])
    t3 = thread_start(listing=yc, message="z", by=world["ent_b"])
    visible = {name: set(threads_visible_to(user=world[name])) for name in ("ent_a", "ent_b", "institution")}
    assert visible == {"ent_a": {t1, t2}, "ent_b": {t3}, "institution": {t1, t2, t3}}
    assert set(threads_visible_to(user=world["kq_staff"])) == {t1}
    assert set(threads_visible_to(user=world["kq_officer"])) == {t1}
    assert set(threads_visible_to(user=world["zj_officer"])) == set()
    assert set(threads_visible_to(user=world["staff"])) == {t1, t2, t3}
    assert set(threads_visible_to(user=world["provider"])) == set()


# --- attachments ---------------------------------------------------------------------------------------------


def test_attachments_of_the_accepted_types_are_kept_with_their_original_name(world):
    thread = started(world)
    pdf = message_post(
        thread=thread,
        body="方案见附件",
        attachment=SimpleUploadedFile("技术方案（第2版）.pdf", PDF, content_type="application/pdf"),
        by=world["ent_a"],
    )
    docx = message_post(
        thread=thread,
        body="",
        attachment=SimpleUploadedFile("合作协议.docx", docx_bytes()),
        by=world["institution"],
    )
    assert [(m.attachment_name, m.body) for m in (pdf, docx)] == [
        ("技术方案（第2版）.pdf", "方案见附件"),
        ("合作协议.docx", ""),
    ]
    assert pdf.attachment.name.startswith("market/messages/") and "技术方案" not in pdf.attachment.name
    assert Message.objects.get(pk=pdf.pk).attachment.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "只接受 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。"),
        ("报价.doc", b"\xd0\xcf\x11\xe0", "只接受 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。"),
        ("假的.pdf", b"<html>", "文件内容与扩展名不符，请上传真实的 PDF、PNG 或 JPG 文件。"),
        (
            "假的.xlsx",
            b"PK\x03\x04not a zip",
            "文件内容与扩展名不符，请上传真实的 Word（.docx）或 Excel（.xlsx）文件。",
        ),
        (
            "文档.xlsx",
            docx_bytes(),
            "文件内容与扩展名不符，请上传真实的 Word（.docx）或 Excel（.xlsx）文件。",
        ),
    ],
)
def test_attachments_of_other_types_are_refused_in_chinese(world, name, content, message):
    thread = started(world)
    with pytest.raises(DomainError) as refused:
        message_post(
            thread=thread, body="附件", attachment=SimpleUploadedFile(name, content), by=world["ent_a"]
        )
    assert (refused.value.message, refused.value.field) == (message, "attachment")
    assert thread.messages.count() == 1


def test_an_attachment_over_the_size_limit_is_refused(world, settings):
    settings.KECHUANG_MAX_UPLOAD_BYTES = 1024
    thread = started(world)
    for name, content in (("大.pdf", PDF + b"0" * 2000), ("大.docx", docx_bytes() + b"0" * 2000)):
        with pytest.raises(DomainError) as refused:
            message_post(
                thread=thread, body="附件", attachment=SimpleUploadedFile(name, content), by=world["ent_a"]
            )
        assert refused.value.message.startswith("文件过大（")
        assert refused.value.message.endswith("上限为 1.0\xa0KB。")


def test_the_thread_region_is_the_listings(world):
    """Scoping follows the listing's region, not the parties': a 诸暨 officer never sees a 越城 listing's thread."""
    thread = started(world, by="ent_b")
    assert thread.listing.region_id == "330602L01" and world["org_b"].region_id == region("330681L01").code
    assert not can_view_thread(world["zj_officer"], thread)
