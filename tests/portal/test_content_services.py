"""The portal's content services: who may write and publish, version checks, and the recorded transitions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.portal import content_services as services
from kechuang.portal.enums import PublishState
from kechuang.regions.models import Region

from .helpers import POLICY_VALUES, published_policy

pytestmark = pytest.mark.django_db


def city():
    return Region.objects.get(pk="330600")


def test_publish_and_withdraw_are_recorded(world):
    policy = services.policy_create(region=city(), values=POLICY_VALUES, by=world["staff"])
    assert policy.state == PublishState.DRAFT and policy.published_at is None
    published = services.policy_publish(policy=policy, expected_version=policy.version, by=world["staff"])
    first = published.published_at
    assert published.state == PublishState.PUBLISHED and first is not None
    withdrawn = services.policy_withdraw(policy=published, reason="已被新政策替代", by=world["staff"])
    again = services.policy_publish(policy=withdrawn, by=world["staff"])
    assert again.published_at == first  # a republication keeps the first date
    lines = AuditLog.objects.filter(object_id=str(policy.pk), action=AuditLog.Action.TRANSITION).order_by(
        "id"
    )
    assert [(line.from_state, line.to_state, line.reason) for line in lines] == [
        ("draft", "published", ""),
        ("published", "withdrawn", "已被新政策替代"),
        ("withdrawn", "published", ""),
    ]
    with pytest.raises(DomainError):
        services.policy_publish(policy=again, by=world["staff"])  # already published


def test_enterprise_user_cannot_publish(world):
    policy = services.policy_create(region=city(), values=POLICY_VALUES, by=world["staff"])
    with pytest.raises(PermissionDenied):
        services.policy_publish(policy=policy, by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.notice_create(region=city(), values={"title": "通知", "body": "正文"}, by=world["ent_a"])
    with pytest.raises(PermissionDenied):  # a leader reads, does not publish
        services.policy_publish(policy=policy, by=world["leader"])
    policy.refresh_from_db()
    assert policy.state == PublishState.DRAFT


def test_county_bureau_cannot_edit_city_policy_but_its_own(world):
    policy = published_policy(world["staff"])
    with pytest.raises(PermissionDenied):
        services.policy_update(policy=policy, values={"title": "改"}, by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.policy_withdraw(policy=policy, by=world["kq_staff"])
    own = services.policy_create(
        region=Region.objects.get(pk="330603"),
        values=POLICY_VALUES | {"title": "柯桥区政策"},
        by=world["kq_staff"],
    )
    with pytest.raises(PermissionDenied):  # nor another county's
        services.guide_create(
            region=Region.objects.get(pk="330681"),
            values={"name": "事项", "who_can_apply": "企业", "materials": "申请表"},
            by=world["kq_staff"],
        )
    # the city's bureau edits everything in the city
    changed = services.policy_update(policy=own, values={"title": "柯桥区政策（修订）"}, by=world["staff"])
    assert changed.title == "柯桥区政策（修订）"


def test_version_conflict_refuses_an_older_edit(world):
    policy = services.policy_create(region=city(), values=POLICY_VALUES, by=world["staff"])
    read_at = policy.version
    services.policy_update(
        policy=policy, values={"title": "第一次修改"}, expected_version=read_at, by=world["staff"]
    )
    with pytest.raises(ConflictError):
        services.policy_update(
            policy=policy, values={"title": "旧页面"}, expected_version=read_at, by=world["admin"]
        )
    with pytest.raises(ConflictError):
        services.policy_publish(policy=policy, expected_version=read_at, by=world["admin"])
    policy.refresh_from_db()
    assert (policy.title, policy.state) == ("第一次修改", PublishState.DRAFT)


def test_validation_and_uploads(world):
    with pytest.raises(DomainError) as missing:
        services.policy_create(region=city(), values=POLICY_VALUES | {"summary": ""}, by=world["staff"])
    assert missing.value.field == "summary"
    with pytest.raises(DomainError) as dates:
        services.policy_create(
            region=city(),
            values=POLICY_VALUES | {"effective_from": "2024-01-01", "effective_until": "2023-01-01"},
            by=world["staff"],
        )
    assert dates.value.field == "effective_until"
    policy = services.policy_create(region=city(), values=POLICY_VALUES, by=world["staff"])
    fake = SimpleUploadedFile("政策.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as bad:
        services.policy_document_add(policy=policy, title="原文", file=fake, by=world["staff"])
    assert bad.value.field == "file"
    good = SimpleUploadedFile("政策.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    document = services.policy_document_add(policy=policy, title="政策原文", file=good, by=world["staff"])
    assert list(policy.documents.values_list("title", flat=True)) == [document.title] == ["政策原文"]
