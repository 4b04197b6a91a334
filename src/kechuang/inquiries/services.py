"""Services of the 科技信箱 (issue 8 item 3): submit, assign / reassign, answer, follow up, close, rate.

Rules:

* Anyone writes a letter, logged in or not (`inquiry_submit`). It gets a tracking number (XX + the day + a
  5-digit number of the day: XX2026120200001) and an access code, shown once and e-mailed when an address
  is given. Only a keyed hash of the code is stored (`Inquiry.access_code`), so neither the database nor the
  audit trail reveals it. The letter goes to the region picked (the city unless a county is chosen), with
  its topic's default department suggested (routing.py), state 待分办; its deadline is the counting day plus
  N working days (calendar.py).
* The bureau of the region assigns it to a department (待分办 → 办理中) and may reassign it (办理中, with a
  reason); it answers (→ 已答复: the first answer sets `answered_at`; `answered_in_time` is whether every
  answer came on or before the deadline then in force) and closes it (已答复 → 已办结).
* The asker (the user who wrote it, or whoever holds the access code) follows up on an answered letter
  (→ 办理中, a new deadline of N working days from the follow-up) and rates the answer once (1–5).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Department
from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require

from . import permissions as perm
from . import routing
from .calendar import WorkCalendar, answer_days
from .enums import InquiryKind, InquiryState, MessageAuthor, Topic
from .models import Inquiry, InquiryMessage

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
TRACKING_PREFIX = "XX"
OPEN_STATES = (InquiryState.RECEIVED, InquiryState.ASSIGNED)
ANSWERED_STATES = (InquiryState.ANSWERED, InquiryState.CLOSED)


def new_access_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(tracking_no: str, code: str) -> str:
    """What is stored for an access code: 12 hex digits of an HMAC keyed with the tracking number."""
    normalized = (code or "").strip().upper()
    return salted_hmac("kechuang.inquiries.access", f"{tracking_no}:{normalized}").hexdigest()[:12]


def code_matches(inquiry, code: str | None) -> bool:
    if not code:
        return False
    return constant_time_compare(inquiry.access_code, hash_code(inquiry.tracking_no, code))


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _next_tracking_no(now) -> str:
    prefix = f"{TRACKING_PREFIX}{timezone.localtime(now):%Y%m%d}"
    last = (
        Inquiry.objects.filter(tracking_no__startswith=prefix)
        .order_by("-tracking_no")
        .values_list("tracking_no", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _clean(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return text


@acting
@transaction.atomic
def inquiry_submit(
    *,
    kind: str,
    topic: str,
    subject: str,
    body: str,
    name: str,
    phone: str = "",
    email: str = "",
    is_public: bool = False,
    region_code: str | None = None,
    by=None,
    now=None,
) -> tuple[Inquiry, str]:
    """Write a letter; returns it and its access code (shown once, never stored in clear)."""
    if kind not in InquiryKind.values:
        raise DomainError(_("请选择来信类型。"), field="kind")
    if topic not in Topic.values:
        raise DomainError(_("请选择来信事项。"), field="topic")
    subject = _clean(subject, "subject", _("请填写标题。"))
    body = _clean(body, "body", _("请填写来信内容。"))
    name = _clean(name, "name", _("请填写姓名。"))
    if not (phone or "").strip() and not (email or "").strip():
        raise DomainError(_("请至少留下联系电话或电子邮箱，以便答复。"), field="phone")
    now = now or timezone.now()
    user = _user(by)
    code = new_access_code()
    calendar = WorkCalendar()
    for _attempt in range(5):
        tracking_no = _next_tracking_no(now)
        try:
            with transaction.atomic():
                inquiry = Inquiry.objects.create(
                    tracking_no=tracking_no,
                    access_code=hash_code(tracking_no, code),
                    region_id=routing.region_for(region_code),
                    kind=kind,
                    topic=topic,
                    subject=subject[:120],
                    body=body,
                    name=name[:50],
                    phone=(phone or "").strip(),
                    email=(email or "").strip(),
                    user=user,
                    organization_id=user.active_organization_id if user is not None else None,
                    is_public=bool(is_public),
                    department=routing.default_department(topic),
                    received_at=now,
                    due_on=calendar.due_on(now),
                )
            break
        except IntegrityError:  # two letters took the same number at once: take the next
            continue
    else:
        raise DomainError(_("系统繁忙，请稍后再提交。"))
    record_transition(instance=inquiry, by=user, from_state="", to_state=InquiryState.RECEIVED)
    if inquiry.email:
        tracking, address = inquiry.tracking_no, inquiry.email
        body_text = _(
            "您的来信“%(subject)s”已收到。\n查询编号：%(no)s\n查询码：%(code)s\n"
            "请凭查询编号和查询码查询办理进度、追问或评价。答复期限：%(due)s。"
        ) % {"subject": inquiry.subject, "no": tracking, "code": code, "due": inquiry.due_on}
        transaction.on_commit(
            lambda: send_mail(
                _("科技信箱来信回执 %(no)s") % {"no": tracking},
                body_text,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=True,
            )
        )
    return inquiry, code


def _lock(inquiry, expected_version=None) -> Inquiry:
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if expected_version is not None:
        locked.check_version(expected_version)
    return locked


def _save(locked, *, by, source: str, reason: str = "") -> Inquiry:
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=_user(by), from_state=source, to_state=locked.state, reason=reason)
    return locked


def _department(value: str) -> str:
    if value not in Department.values:
        raise DomainError(_("请选择承办处室。"), field="department")
    return value


@acting
@transaction.atomic
def inquiry_assign(*, inquiry, department: str, by, expected_version=None) -> Inquiry:
    """待分办 → 办理中, to `department`."""
    locked = _lock(inquiry, expected_version)
    require(perm.can_handle_inquiry(by, locked))
    if locked.state != InquiryState.RECEIVED:
        raise DomainError(_("该来信已分办，如需改派请使用“改派”。"))
    locked.department = _department(department)
    locked.state = InquiryState.ASSIGNED
    return _save(locked, by=by, source=InquiryState.RECEIVED, reason=str(Department(department).label))


@acting
@transaction.atomic
def inquiry_reassign(*, inquiry, department: str, reason: str = "", by, expected_version=None) -> Inquiry:
    """办理中 → 办理中 with another department (the deadline does not move)."""
    locked = _lock(inquiry, expected_version)
    require(perm.can_handle_inquiry(by, locked))
    if locked.state != InquiryState.ASSIGNED:
        raise DomainError(_("只有办理中的来信可以改派。"))
    department = _department(department)
    if department == locked.department:
        raise DomainError(_("该来信已由该处室承办。"), field="department")
    old = Department(locked.department).label if locked.department in Department.values else locked.department
    locked.department = department
    note = _("改派：%(old)s → %(new)s") % {"old": old, "new": Department(department).label}
    if reason.strip():
        note += f"；{reason.strip()}"
    return _save(locked, by=by, source=InquiryState.ASSIGNED, reason=note)


@acting
@transaction.atomic
def inquiry_answer(*, inquiry, text: str, by, expected_version=None, now=None) -> Inquiry:
    """办理中 (or 待分办, to its suggested department) → 已答复."""
    text = _clean(text, "text", _("请填写答复内容。"))
    locked = _lock(inquiry, expected_version)
    require(perm.can_handle_inquiry(by, locked))
    if locked.state not in OPEN_STATES:
        raise DomainError(_("该来信当前为“%(state)s”，不能答复。") % {"state": locked.get_state_display()})
    now = now or timezone.now()
    source = locked.state
    InquiryMessage.objects.create(
        inquiry=locked, author=MessageAuthor.BUREAU, body=text, by=_user(by), at=now
    )
    on_time = timezone.localtime(now).date() <= locked.due_on
    if locked.answered_at is None:
        locked.answered_at = now
    locked.answered_in_time = on_time and locked.answered_in_time is not False
    locked.state = InquiryState.ANSWERED
    _save(locked, by=by, source=source)
    _tell_asker(locked)
    return locked


def _tell_asker(inquiry) -> None:
    """The asker hears of the answer: in the inbox (and by e-mail) when logged in, else by e-mail if given."""
    from django.urls import reverse

    from kechuang.core.notifications import notify

    subject = _("您的来信已答复：%(no)s %(subject)s") % {
        "no": inquiry.tracking_no,
        "subject": inquiry.subject,
    }
    link = reverse("inquiries:letter", args=[inquiry.tracking_no])
    if inquiry.user_id is not None:
        notify(
            recipients=[inquiry.user],
            subject=subject,
            body=_("请凭查询编号查看答复，并对答复作出评价。"),
            link=link,
        )
    elif inquiry.email:
        address = inquiry.email
        body = _("请凭查询编号和查询码查看答复，并对答复作出评价：%(link)s") % {"link": link}
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
        )


@acting
@transaction.atomic
def inquiry_follow_up(*, inquiry, text: str, code: str | None = None, by=None, now=None) -> Inquiry:
    """The asker asks again about an answered letter: 已答复 → 办理中, with a new deadline."""
    text = _clean(text, "text", _("请填写追问内容。"))
    locked = _lock(inquiry)
    require(perm.can_act_as_asker(by, locked, code))
    if locked.state != InquiryState.ANSWERED:
        raise DomainError(_("只有已答复、尚未办结的来信可以追问。"))
    now = now or timezone.now()
    InquiryMessage.objects.create(inquiry=locked, author=MessageAuthor.ASKER, body=text, by=_user(by), at=now)
    locked.state = InquiryState.ASSIGNED
    locked.due_on = WorkCalendar().due_on(now, answer_days())
    locked.reminded_at = None
    return _save(locked, by=by, source=InquiryState.ANSWERED, reason=_("来信人追问"))


@acting
@transaction.atomic
def inquiry_close(*, inquiry, by, reason: str = "", expected_version=None) -> Inquiry:
    """已答复 → 已办结 (the bureau, when nothing more is to be done)."""
    locked = _lock(inquiry, expected_version)
    require(perm.can_handle_inquiry(by, locked))
    if locked.state != InquiryState.ANSWERED:
        raise DomainError(_("只有已答复的来信可以办结。"))
    locked.state = InquiryState.CLOSED
    return _save(locked, by=by, source=InquiryState.ANSWERED, reason=reason.strip())


@acting
@transaction.atomic
def inquiry_rate(*, inquiry, satisfaction: int, note: str = "", code: str | None = None, by=None) -> Inquiry:
    """The asker rates the answer once (1 very dissatisfied … 5 very satisfied)."""
    locked = _lock(inquiry)
    require(perm.can_act_as_asker(by, locked, code))
    if locked.state not in ANSWERED_STATES:
        raise DomainError(_("来信答复后才能评价。"))
    if locked.satisfaction is not None:
        raise DomainError(_("您已评价过该来信。"))
    try:
        value = int(satisfaction)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise DomainError(_("满意度应为1至5分。"), field="satisfaction")
    locked.satisfaction = value
    locked.satisfaction_note = (note or "").strip()[:300]
    locked.bump_version()
    locked.save()
    return locked
