"""梯度培育: the rung from the qualifications in force, kept on the organization after every change and daily."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.core.jobs import run_job_now
from kechuang.enterprises.qualifications import qualification_revoke, qualification_save, tier_explained
from kechuang.enterprises.services import tiers_refresh_all
from kechuang.enterprises.tiers import tier_of
from kechuang.organizations.enums import QualificationKind as K
from kechuang.organizations.enums import QualificationLevel as L
from kechuang.organizations.enums import Tier
from kechuang.organizations.models import Organization, Qualification


@pytest.mark.parametrize(
    ("held", "tier"),
    [
        ([], Tier.NONE),
        ([(K.PATENT_DEMO, L.CITY), (K.CITY_RD_CENTER, L.CITY), (K.TECH_GIANT, L.PROVINCIAL)], Tier.NONE),
        ([(K.ENTERPRISE_TECH_CENTER, L.CITY)], Tier.NONE),
        ([(K.TSME, L.PROVINCIAL)], Tier.TSME),
        ([(K.TSME, L.PROVINCIAL), (K.CITY_RD_CENTER, L.CITY)], Tier.TSME),
        ([(K.HNTE, L.NATIONAL)], Tier.HNTE),
        ([(K.HNTE, L.NATIONAL), (K.TSME, L.PROVINCIAL)], Tier.HNTE),
        ([(K.HNTE, L.NATIONAL), (K.ENTERPRISE_TECH_CENTER, L.CITY)], Tier.HNTE),
        ([(K.ENTERPRISE_INSTITUTE, L.PROVINCIAL)], Tier.RD_INSTITUTION),
        ([(K.HNTE_RD_CENTER, L.PROVINCIAL), (K.HNTE, L.NATIONAL)], Tier.RD_INSTITUTION),
        ([(K.ENTERPRISE_TECH_CENTER, L.NATIONAL)], Tier.RD_INSTITUTION),
        ([(K.KEY_ENTERPRISE_INSTITUTE, L.PROVINCIAL)], Tier.LEADER),
        ([(K.INNOVATION_LEADER, L.PROVINCIAL), (K.TSME, L.PROVINCIAL)], Tier.LEADER),
    ],
)
def test_tier_of_every_rung(held, tier):
    assert tier_of(held) == tier


def _q(organization, kind, valid_from, valid_until, level=None, **extra):
    return Qualification.objects.create(
        organization=organization,
        kind=kind,
        level=level or {K.HNTE: L.NATIONAL}.get(kind, L.PROVINCIAL),
        valid_from=valid_from,
        valid_until=valid_until,
        **extra,
    )


def _tier(organization) -> str:
    return Organization.objects.values_list("tier", flat=True).get(pk=organization.pk)


@pytest.mark.django_db
def test_tier_follows_save_and_revoke(world):
    today = timezone.localdate()
    org = world["org_a"]
    qualification_save(
        organization=org,
        data={
            "kind": K.TSME,
            "valid_from": today - timedelta(days=30),
            "valid_until": today + timedelta(days=300),
        },
        by=world["kq_staff"],
    )
    assert _tier(org) == Tier.TSME
    hnte = qualification_save(
        organization=org,
        data={"kind": K.HNTE, "certificate_no": "GR202333000001", "valid_from": today - timedelta(days=10)},
        by=world["kq_staff"],
    )
    assert _tier(org) == Tier.HNTE
    qualification_revoke(qualification=hnte, on=today, reason="复核不符合认定条件", by=world["kq_staff"])
    assert _tier(org) == Tier.TSME


@pytest.mark.django_db
def test_daily_refresh_drops_the_tier_the_day_after_expiry(world):
    org = world["org_a"]
    _q(org, K.HNTE, date(2023, 12, 2), date(2026, 12, 1), certificate_no="GR202333000002")
    _q(org, K.TSME, date(2026, 4, 1), date(2026, 12, 31))
    assert tiers_refresh_all(day=date(2026, 12, 1)) == 1
    assert _tier(org) == Tier.HNTE
    assert tiers_refresh_all(day=date(2026, 12, 1)) == 0
    assert tiers_refresh_all(day=date(2026, 12, 2)) == 1
    assert _tier(org) == Tier.TSME
    assert run_job_now("enterprises.tiers_refresh", {"today": "2027-01-01"}) == 1
    assert _tier(org) == Tier.NONE
    assert _tier(world["org_b"]) == Tier.NONE


@pytest.mark.django_db
def test_explanation_names_the_certificate_and_the_next_rung(world):
    org = world["org_a"]
    tsme = _q(org, K.TSME, date(2026, 4, 1), date(2026, 12, 31), certificate_no="20263306030A000123")
    _q(org, K.PATENT_DEMO, date(2025, 1, 1), date(2027, 12, 31), level=L.CITY)
    explained = tier_explained(qualifications=list(org.qualifications.all()), day=date(2026, 6, 1))
    assert (explained.tier, explained.basis, explained.next.tier) == (Tier.TSME, [tsme], Tier.HNTE)
    assert explained.next.assessment is True
    none = tier_explained(qualifications=list(org.qualifications.all()), day=date(2027, 6, 1))
    assert (none.tier, none.basis, none.next.tier) == (Tier.NONE, [], Tier.TSME)
    top = _q(org, K.INNOVATION_LEADER, date(2026, 1, 1), date(2028, 12, 31))
    leader = tier_explained(qualifications=list(org.qualifications.all()), day=date(2026, 6, 1))
    assert (leader.tier, leader.basis, leader.next) == (Tier.LEADER, [top], None)


@pytest.mark.django_db
def test_detail_page_explains_the_tier(client, world):
    today = timezone.localdate()
    org = world["org_a"]
    _q(org, K.HNTE, today - timedelta(days=400), today + timedelta(days=600), certificate_no="GR202333000003")
    _q(org, K.TSME, today - timedelta(days=30), today + timedelta(days=200))
    client.force_login(world["ent_a"])
    body = client.get(reverse("enterprises:detail", args=[org.pk])).content.decode()
    until = (today + timedelta(days=600)).isoformat()
    assert f"高新技术企业（证书GR202333000003，有效期至{until}）" in body
    assert (
        "下一梯度：省级研发机构企业 — 建成省级企业研究院、省级高新技术企业研究开发中心或省级以上企业技术中心"
        in body
    )
    Qualification.objects.filter(kind=K.HNTE).delete()
    body = client.get(reverse("enterprises:detail", args=[org.pk])).content.decode()
    assert (
        '下一梯度：高新技术企业 — 通过高新技术企业认定；<a href="#assessment">可在“自评”中查看差距</a>'
        in body
    )
