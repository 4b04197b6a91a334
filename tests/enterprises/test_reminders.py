"""The daily reminders: qualification expiry (90 and 30 days before) and annual data (due and overdue)."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from kechuang.accounts.enums import MembershipStatus, Role
from kechuang.core.models import Notification
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.jobs import (
    annual_data_due,
    annual_data_reminders,
    daily,
    expiry_offset,
    qualification_reminders,
)
from kechuang.enterprises.models import AnnualData, LiaisonAssignment
from kechuang.organizations.enums import QualificationKind as K
from kechuang.organizations.enums import QualificationLevel as L
from kechuang.organizations.models import Qualification

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

T = date(2027, 3, 1)


@pytest.fixture
def people(world):
    """Around 柯桥甲: a second active user, a pending and an inactive one, a current and a past liaison."""
    org_a = world["org_a"]
    clerk = UserFactory(role=Role.ENTERPRISE, organization=org_a, region=org_a.region, username="clerk_a")
    UserFactory(
        role=Role.ENTERPRISE,
        organization=org_a,
        region=org_a.region,
        username="pending_a",
        membership_status=MembershipStatus.PENDING,
    )
    UserFactory(
        role=Role.ENTERPRISE, organization=org_a, region=org_a.region, username="gone_a", is_active=False
    )
    LiaisonAssignment.objects.create(organization=org_a, staff=world["kq_staff"], since=date(2026, 1, 1))
    LiaisonAssignment.objects.create(
        organization=org_a, staff=world["staff"], since=date(2025, 1, 1), until=date(2026, 12, 31)
    )
    return {**world, "clerk_a": clerk}


def _q(organization, kind=K.HNTE, *, until, valid_from=date(2024, 6, 1), **extra):
    return Qualification.objects.create(
        organization=organization,
        kind=kind,
        level={K.HNTE: L.NATIONAL}.get(kind, L.PROVINCIAL),
        valid_from=valid_from,
        valid_until=until,
        **extra,
    )


def _messages():
    return sorted(Notification.objects.values_list("recipient__username", "dedupe_key", "subject"))


def test_offsets():
    assert [expiry_offset(d) for d in (120, 91, 90, 60, 31, 30, 1, 0, -1)] == [
        None,
        None,
        90,
        90,
        90,
        30,
        30,
        30,
        None,
    ]


def test_ninety_days_before_expiry_the_enterprise_and_its_liaison_are_told_once(people):
    hnte = _q(people["org_a"], until=T + timedelta(days=90), certificate_no="GR202433000001")
    assert qualification_reminders(today=T) == 3
    key = f"qualification-expiry-{hnte.pk}-90"
    subject = "资质即将到期：高新技术企业（2027-05-30）"
    assert _messages() == sorted(
        [
            (people["ent_a"].username, key, subject),
            ("clerk_a", key, subject),
            (people["kq_staff"].username, key, subject),
        ]
    )
    body = Notification.objects.filter(recipient=people["ent_a"]).get().body
    assert body == (
        "柯桥甲纺织有限公司的高新技术企业（证书编号：GR202433000001）将于2027-05-30到期，还有90天。"
        "高新技术企业资格期满前，请及时按认定程序申请重新认定。"
    )
    assert qualification_reminders(today=T) == 0
    assert qualification_reminders(today=T + timedelta(days=1)) == 0
    assert Notification.objects.count() == 3
    # 30 days before: the second reminder.
    assert qualification_reminders(today=T + timedelta(days=60)) == 3
    assert sorted(set(Notification.objects.values_list("dedupe_key", flat=True))) == [
        f"qualification-expiry-{hnte.pk}-30",
        key,
    ]
    assert qualification_reminders(today=T + timedelta(days=61)) == 0


def test_a_skipped_day_does_not_lose_a_reminder(world):
    late = _q(world["org_a"], until=T + timedelta(days=25))
    middle = _q(world["org_b"], K.TSME, until=T + timedelta(days=60), valid_from=date(2026, 4, 1))
    assert qualification_reminders(today=T) == 2
    assert _messages() == [
        (
            world["ent_a"].username,
            f"qualification-expiry-{late.pk}-30",
            "资质即将到期：高新技术企业（2027-03-26）",
        ),
        (
            world["ent_b"].username,
            f"qualification-expiry-{middle.pk}-90",
            "资质即将到期：科技型中小企业（2027-04-30）",
        ),
    ]
    body = Notification.objects.get(recipient=world["ent_b"]).body
    assert body == (
        "诸暨乙机械有限公司的科技型中小企业（证书编号：—）将于2027-04-30到期，还有60天。"
        "如需继续保持该资质，请及时办理复核或重新认定。"
    )


def test_no_reminder_for_renewed_revoked_far_or_expired_qualifications(world):
    org = world["org_a"]
    _q(org, until=T + timedelta(days=30))
    _q(org, until=T + timedelta(days=30 + 3 * 365), valid_from=T + timedelta(days=20))  # re-recognised
    _q(org, K.TSME, until=T + timedelta(days=30), valid_from=date(2026, 4, 1), revoked_on=date(2026, 9, 1))
    _q(org, K.PATENT_DEMO, until=T + timedelta(days=91))
    _q(org, K.ENTERPRISE_INSTITUTE, until=T - timedelta(days=1))
    assert qualification_reminders(today=T) == 0


# --- annual data --------------------------------------------------------------------------------


def test_annual_data_due_date_is_configurable(settings):
    assert annual_data_due(2027) == date(2027, 5, 31)
    settings.KECHUANG_ANNUAL_DATA_DUE = "02-29"
    assert (annual_data_due(2027), annual_data_due(2028)) == (date(2027, 2, 28), date(2028, 2, 29))


def test_annual_data_reminder_before_the_due_date_and_after_it(people):
    AnnualData.objects.create(organization=people["org_b"], year=2026, status=AnnualDataStatus.SUBMITTED)
    AnnualData.objects.create(organization=people["org_a"], year=2026, status=AnnualDataStatus.DRAFT)
    _q(people["org_a"], until=date(2027, 5, 31), valid_from=date(2024, 6, 1))
    assert annual_data_reminders(today=date(2027, 4, 30)) == 0
    assert annual_data_reminders(today=date(2027, 5, 1)) == 3
    key = f"annual-data-2026-due-{people['org_a'].pk}"
    subject = "请于2027-05-31前填报2026年度企业数据"
    assert _messages() == sorted(
        [
            (people["ent_a"].username, key, subject),
            ("clerk_a", key, subject),
            (people["kq_staff"].username, key, subject),
        ]
    )
    assert Notification.objects.filter(recipient=people["ent_a"]).get().body == (
        "贵企业尚未提交2026年度数据，截止日期为2027-05-31。"
        "高新技术企业须于每年5月底前填报上一年度发展情况报表（国科发火〔2016〕32号第十三条），"
        "累计两年未填报的将被取消高新技术企业资格（第十九条）。"
    )
    assert annual_data_reminders(today=date(2027, 5, 1)) == 0
    assert annual_data_reminders(today=date(2027, 5, 31)) == 0
    assert annual_data_reminders(today=date(2027, 6, 1)) == 3
    overdue = Notification.objects.filter(dedupe_key=f"annual-data-2026-overdue-{people['org_a'].pk}")
    assert sorted(overdue.values_list("recipient__username", "subject")) == sorted(
        [
            (people["ent_a"].username, "2026年度企业数据已逾期未报"),
            ("clerk_a", "2026年度企业数据已逾期未报"),
            (people["kq_staff"].username, "2026年度企业数据已逾期未报"),
        ]
    )
    assert annual_data_reminders(today=date(2027, 6, 2)) == 0
    assert annual_data_reminders(today=date(2027, 7, 2)) == 0
    assert Notification.objects.filter(recipient=people["ent_b"]).count() == 0


def test_a_missed_annual_reminder_is_sent_later_in_its_window(world, settings):
    settings.KECHUANG_ANNUAL_DATA_DUE = "06-30"
    assert annual_data_reminders(today=date(2027, 5, 30)) == 0
    assert annual_data_reminders(today=date(2027, 6, 12)) == 2
    assert sorted(Notification.objects.values_list("recipient__username", "subject")) == sorted(
        [
            (world["ent_a"].username, "请于2027-06-30前填报2026年度企业数据"),
            (world["ent_b"].username, "请于2027-06-30前填报2026年度企业数据"),
        ]
    )
    assert (
        Notification.objects.get(recipient=world["ent_b"]).body
        == "贵企业尚未提交2026年度数据，截止日期为2027-06-30。"
    )
    assert annual_data_reminders(today=date(2027, 7, 15)) == 2
    assert annual_data_reminders(today=date(2027, 7, 16)) == 0


def test_daily_job_and_command_run_everything_once(world):
    _q(world["org_a"], until=date(2027, 5, 30))
    result = daily(today="2027-05-01")
    assert result["tiers_changed"] == 1
    assert (result["qualification_reminders"], result["annual_data_reminders"]) == (1, 2)
    assert result["assessed"]["enterprises"] == 2  # every enterprise re-assessed before the reserve proposals
    assert result["follow_up_reminders"] == 0
    call_command("enterprises_daily", "--date", "2027-05-01")
    assert Notification.objects.count() == 3
