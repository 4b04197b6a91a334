"""Services of the 科技信箱: submit, access by code, who may read and answer, deadlines, follow-up, rating."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.inquiries import permissions as perm
from kechuang.inquiries import services
from kechuang.inquiries.enums import InquiryState

from .helpers import at, letter

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


def test_submit_numbers_the_letter_routes_it_and_keeps_only_a_hash_of_the_code(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first, code = letter(now=at(2026, 12, 2, 9), email="asker@example.com")
    second, _ = letter(now=at(2026, 12, 2, 11), topic="ip", region="330603")
    assert first.tracking_no == "XX2026120200001"
    assert second.tracking_no == "XX2026120200002"
    assert first.region_id == "330600" and first.department == "high_tech"
    assert second.region_id == "330603" and second.department == "ip"
    assert first.state == InquiryState.RECEIVED and first.due_on == date(2026, 12, 9)
    assert code not in first.access_code and services.code_matches(first, code.lower())
    assert len(mail.outbox) == 1 and code in mail.outbox[0].body


def test_a_county_not_under_the_city_falls_back_to_the_city():
    inquiry, _ = letter(region="330100")  # 杭州市
    assert inquiry.region_id == "330600"


def test_submit_needs_a_way_to_answer():
    with pytest.raises(DomainError):
        letter(phone="", email="")


def test_anonymous_access_needs_the_right_code(world):
    inquiry, code = letter()
    assert perm.can_view_inquiry(ANON, inquiry, code)
    assert not perm.can_view_inquiry(ANON, inquiry, "WRONGCODE")
    assert not perm.can_view_inquiry(ANON, inquiry, None)


def test_another_user_cannot_read_a_letter_that_is_not_public(world):
    inquiry, _ = letter(by=world["ent_a"])
    assert inquiry.user_id == world["ent_a"].pk and inquiry.organization_id == world["org_a"].pk
    assert perm.can_view_inquiry(world["ent_a"], inquiry)
    assert not perm.can_view_inquiry(world["ent_b"], inquiry)
    assert perm.can_view_inquiry(world["staff"], inquiry)  # the city's bureau
    assert not perm.can_view_inquiry(world["kq_staff"], inquiry)  # a county's bureau


def test_a_public_letter_is_readable_by_all_once_answered(world):
    inquiry, _ = letter(is_public=True)
    assert not perm.can_view_inquiry(world["ent_b"], inquiry)
    inquiry = services.inquiry_answer(inquiry=inquiry, text="请参见认定办法第十一条。", by=world["staff"])
    assert perm.can_view_inquiry(world["ent_b"], inquiry) and perm.can_view_inquiry(ANON, inquiry)


def test_a_county_bureau_cannot_answer_a_city_letter_but_the_city_answers_a_county_one(world):
    city, _ = letter()
    county, _ = letter(region="330603")
    with pytest.raises(PermissionDenied):
        services.inquiry_answer(inquiry=city, text="答复", by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.inquiry_answer(inquiry=city, text="答复", by=world["leader"])  # leaders read only
    assert services.inquiry_answer(inquiry=county, text="答复", by=world["kq_staff"]).state == "answered"


def test_answered_in_time_against_the_deadline(world):
    on_time, _ = letter(now=at(2026, 11, 27, 16, 59))  # due 12-04
    late, _ = letter(now=at(2026, 11, 27, 16, 59))
    on_time = services.inquiry_answer(
        inquiry=on_time, text="答复", by=world["staff"], now=at(2026, 12, 4, 23)
    )
    late = services.inquiry_answer(inquiry=late, text="答复", by=world["staff"], now=at(2026, 12, 7, 9))
    assert on_time.answered_in_time is True and late.answered_in_time is False
    assert on_time.messages.get().author == "bureau"


def test_assign_then_reassign(world):
    inquiry, _ = letter()
    inquiry = services.inquiry_assign(
        inquiry=inquiry, department="achievement", by=world["staff"], expected_version=inquiry.version
    )
    assert (inquiry.state, inquiry.department) == ("assigned", "achievement")
    with pytest.raises(DomainError):
        services.inquiry_assign(inquiry=inquiry, department="ip", by=world["staff"])
    inquiry = services.inquiry_reassign(
        inquiry=inquiry, department="ip", reason="涉及专利", by=world["staff"]
    )
    assert (inquiry.state, inquiry.department) == ("assigned", "ip")


def test_follow_up_reopens_with_a_new_deadline_and_only_the_asker_may(world):
    inquiry, code = letter(now=at(2026, 11, 2))
    inquiry = services.inquiry_answer(inquiry=inquiry, text="答复", by=world["staff"], now=at(2026, 11, 3))
    with pytest.raises(PermissionDenied):
        services.inquiry_follow_up(inquiry=inquiry, text="还有问题", code="WRONGCODE", by=ANON)
    with pytest.raises(PermissionDenied):
        services.inquiry_follow_up(inquiry=inquiry, text="还有问题", by=world["ent_b"])
    inquiry = services.inquiry_follow_up(
        inquiry=inquiry, text="还有问题", code=code, by=ANON, now=at(2026, 11, 27, 18)
    )
    assert inquiry.state == InquiryState.ASSIGNED
    assert inquiry.due_on == date(2026, 12, 7) and inquiry.reminded_at is None
    assert [m.author for m in inquiry.messages.all()] == ["bureau", "asker"]
    inquiry = services.inquiry_answer(inquiry=inquiry, text="再答复", by=world["staff"], now=at(2026, 12, 8))
    assert inquiry.answered_in_time is False and inquiry.answered_at == at(2026, 11, 3)


def test_rate_once_after_the_answer_and_close(world):
    inquiry, code = letter()
    with pytest.raises(DomainError):
        services.inquiry_rate(inquiry=inquiry, satisfaction=5, code=code)
    inquiry = services.inquiry_answer(inquiry=inquiry, text="答复", by=world["staff"])
    with pytest.raises(DomainError):
        services.inquiry_rate(inquiry=inquiry, satisfaction=6, code=code)
    inquiry = services.inquiry_rate(inquiry=inquiry, satisfaction=4, note="解答清楚", code=code)
    assert (inquiry.satisfaction, inquiry.satisfaction_note) == (4, "解答清楚")
    with pytest.raises(DomainError):
        services.inquiry_rate(inquiry=inquiry, satisfaction=5, code=code)
    inquiry = services.inquiry_close(inquiry=inquiry, by=world["staff"])
    assert inquiry.state == InquiryState.CLOSED
    with pytest.raises(DomainError):
        services.inquiry_follow_up(inquiry=inquiry, text="再问", code=code)


def test_the_asker_hears_of_the_answer(world, django_capture_on_commit_callbacks):
    from kechuang.core.models import Notification

    own, _ = letter(by=world["ent_a"])
    anonymous, _ = letter(email="asker@example.com")
    services.inquiry_answer(inquiry=own, text="答复", by=world["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_answer(inquiry=anonymous, text="答复", by=world["staff"])
    assert Notification.objects.get(recipient=world["ent_a"]).link.endswith(f"/{own.tracking_no}/")
    assert [m.to for m in mail.outbox][-1] == ["asker@example.com"]
