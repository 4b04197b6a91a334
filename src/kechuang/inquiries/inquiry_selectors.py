"""Reads of the 科技信箱 pages, scoped to what the user may see (mirrors permissions.py)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from kechuang.core.scoping import user_region_codes

from .calendar import WorkCalendar
from .enums import InquiryState
from .models import Inquiry, InquiryMessage

OPEN_STATES = (InquiryState.RECEIVED, InquiryState.ASSIGNED)
PUBLISHED_STATES = (InquiryState.ANSWERED, InquiryState.CLOSED)


def inquiry_by_tracking_no(tracking_no: str) -> Inquiry | None:
    tracking_no = (tracking_no or "").strip().upper()
    if not tracking_no:
        return None
    return Inquiry.objects.select_related("region").filter(tracking_no=tracking_no).first()


def inquiries_published() -> QuerySet[Inquiry]:
    """Letters whose asker agreed to publish them, once answered."""
    return (
        Inquiry.objects.filter(is_public=True, state__in=PUBLISHED_STATES)
        .select_related("region")
        .order_by("-answered_at", "-id")
    )


def inquiries_of_user(user) -> QuerySet[Inquiry]:
    if not user.is_authenticated:
        return Inquiry.objects.none()
    return Inquiry.objects.filter(user=user).select_related("region")


def inquiries_for_bureau(user) -> QuerySet[Inquiry]:
    """The letters of the user's region and below, for bureau users, leaders and officers."""
    if not user.is_authenticated or not (user.is_superuser or user.is_region_scoped):
        return Inquiry.objects.none()
    codes = user_region_codes(user)
    qs = Inquiry.objects.select_related("region")
    if codes is not None:
        qs = qs.filter(region_id__in=codes)
    return qs


def inquiry_get_for_bureau(user, pk: int) -> Inquiry | None:
    return inquiries_for_bureau(user).filter(pk=pk).first()


def due_soon_q(today: date, calendar: WorkCalendar | None = None) -> Q:
    """Open letters due today or on the next working day."""
    horizon = (calendar or WorkCalendar()).add_working_days(today, 1)
    return Q(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=horizon)


def overdue_q(today: date) -> Q:
    return Q(state__in=OPEN_STATES, due_on__lt=today)


def thread(inquiry) -> list[InquiryMessage]:
    return list(inquiry.messages.select_related("by").order_by("at", "id"))
