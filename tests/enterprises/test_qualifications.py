"""Qualifications: validation, duplicates, revocation, permissions, pages and API."""

import json
import sys
import types
import uuid
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.accounts.services import api_token_create
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.jobs import run_job_now
from kechuang.core.models import Notification
from kechuang.enterprises import qualification_views
from kechuang.enterprises.qualifications import (
    hnte_valid_until,
    qualification_revoke,
    qualification_save,
    qualification_warnings,
)
from kechuang.organizations.enums import QualificationKind as K
from kechuang.organizations.enums import QualificationLevel as L
from kechuang.organizations.enums import Tier
from kechuang.organizations.models import Organization, Qualification

from ..factories import OrganizationFactory, audit_for, region

TODAY = timezone.localdate


def _hnte(world, **data):
    return qualification_save(
        organization=world["org_a"],
        data={
            "kind": K.HNTE,
            "certificate_no": "GR202333000101",
            "valid_from": TODAY() - timedelta(days=400),
            **data,
        },
        by=world["kq_staff"],
    )


# --- 高企 validity (rules.md §1.5) ---------------------------------------------------------------


def test_hnte_is_valid_three_years_from_the_certificate_date():
    """国科发火〔2016〕32号 第九条: 自颁发证书之日起有效期为三年."""
    assert hnte_valid_until(date(2023, 12, 1)) == date(2026, 11, 30)
    assert hnte_valid_until(date(2024, 1, 1)) == date(2026, 12, 31)
    assert hnte_valid_until(date(2024, 2, 29)) == date(2027, 2, 28)


def test_a_different_hnte_expiry_is_flagged_not_refused():
    assert (
        qualification_warnings(kind=K.HNTE, valid_from=date(2023, 12, 1), valid_until=date(2026, 11, 30))
        == []
    )
    assert qualification_warnings(
        kind=K.HNTE, valid_from=date(2023, 12, 1), valid_until=date(2026, 12, 1)
    ) == [
        "高新技术企业资格自颁发证书之日起有效期为三年（国科发火〔2016〕32号第九条），"
        "发证日期2023-12-01对应的有效期至应为2026-11-30，登记的是2026-12-01，请核对证书。"
    ]
    assert (
        qualification_warnings(kind=K.TSME, valid_from=date(2026, 4, 1), valid_until=date(2026, 12, 31)) == []
    )


# --- services -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hnte_without_expiry_gets_three_years_and_the_national_level(world):
    saved = _hnte(world, valid_from=date(2023, 12, 1))
    assert (saved.level, saved.valid_until, saved.version) == (L.NATIONAL, date(2026, 11, 30), 1)
    assert audit_for(saved, action="create").get().actor == world["kq_staff"]


@pytest.mark.django_db
def test_level_defaults_by_kind(world):
    saved = qualification_save(
        organization=world["org_a"],
        data={"kind": K.PATENT_DEMO, "valid_from": date(2025, 1, 1), "valid_until": date(2027, 12, 31)},
        by=world["staff"],
    )
    assert saved.level == L.CITY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": K.TSME, "valid_from": date(2026, 4, 1), "valid_until": date(2026, 4, 1)},
            "valid_until",
            "有效期至应晚于发证日期。",
        ),
        ({"kind": K.TSME, "valid_from": date(2026, 4, 1)}, "valid_until", "请填写有效期至。"),
        ({"kind": "nonsense", "valid_from": date(2026, 4, 1)}, "kind", "请选择资质类型。"),
        ({"kind": K.TSME, "valid_until": date(2026, 4, 1)}, "valid_from", "请填写发证日期。"),
        ({"kind": K.TSME, "level": "galactic", "valid_from": date(2026, 4, 1)}, "level", "资质级别不正确。"),
        ({"kind": K.TSME, "revoked_on": date(2026, 4, 1)}, "revoked_on", "不允许修改字段：revoked_on"),
    ],
)
def test_invalid_values_are_refused_with_the_reason(world, data, field, message):
    with pytest.raises(DomainError) as exc:
        qualification_save(organization=world["org_a"], data=data, by=world["staff"])
    assert (exc.value.field, exc.value.message) == (field, message)
    assert Qualification.objects.count() == 0


@pytest.mark.django_db
def test_overlapping_duplicate_of_the_same_kind_and_level_is_refused(world):
    first = _hnte(world, valid_from=date(2023, 12, 1))
    with pytest.raises(DomainError) as exc:
        _hnte(world, certificate_no="GR202333000999", valid_from=date(2024, 6, 1))
    assert exc.value.message == (
        "该企业已登记高新技术企业（国家级，2023-12-01至2026-11-30），与本次登记的有效期重叠，不能重复登记；"
        "如为重新认定，新证书的发证日期应在原证书到期前90天以内。"
    )
    # A re-recognition dated shortly before the old certificate ends is a renewal.
    renewal = _hnte(world, certificate_no="GR202633000001", valid_from=date(2026, 11, 20))
    assert renewal.valid_until == date(2029, 11, 19)
    # Another level of the same kind is another qualification.
    qualification_save(
        organization=world["org_a"],
        data={
            "kind": K.ENTERPRISE_TECH_CENTER,
            "level": L.CITY,
            "valid_from": date(2024, 1, 1),
            "valid_until": date(2026, 12, 31),
        },
        by=world["staff"],
    )
    qualification_save(
        organization=world["org_a"],
        data={
            "kind": K.ENTERPRISE_TECH_CENTER,
            "level": L.PROVINCIAL,
            "valid_from": date(2024, 1, 1),
            "valid_until": date(2026, 12, 31),
        },
        by=world["staff"],
    )
    # Once a certificate is cancelled, its remaining period is free again.
    qualification_revoke(qualification=renewal, on=date(2026, 12, 1), reason="弄虚作假", by=world["staff"])
    assert _hnte(world, certificate_no="GR202733000005", valid_from=date(2027, 1, 1)).valid_until == date(
        2029, 12, 31
    )
    assert first.pk


@pytest.mark.django_db
def test_a_certificate_number_is_registered_once(world):
    _hnte(world, certificate_no="GR202333000101")
    with pytest.raises(DomainError) as exc:
        qualification_save(
            organization=world["org_b"],
            data={"kind": K.HNTE, "certificate_no": "gr202333000101", "valid_from": date(2023, 12, 1)},
            by=world["staff"],
        )
    assert (exc.value.field, exc.value.message) == (
        "certificate_no",
        "证书编号gr202333000101已登记（柯桥甲纺织有限公司），不能重复登记。",
    )


@pytest.mark.django_db
def test_edit_checks_the_version(world):
    saved = _hnte(world)
    edited = qualification_save(
        organization=world["org_a"],
        qualification=saved,
        data={"certificate_no": "GR202333000102"},
        expected_version=1,
        by=world["kq_staff"],
    )
    assert (edited.certificate_no, edited.version, edited.kind) == ("GR202333000102", 2, K.HNTE)
    with pytest.raises(ConflictError) as exc:
        qualification_save(
            organization=world["org_a"],
            qualification=saved,
            data={"certificate_no": "GR202333000103"},
            expected_version=1,
            by=world["kq_staff"],
        )
    assert exc.value.message == "该记录已被他人修改，请刷新后重新编辑。"
    assert Qualification.objects.get().certificate_no == "GR202333000102"


@pytest.mark.django_db
def test_revoke_needs_a_reason_and_is_audited(world):
    saved = _hnte(world)
    with pytest.raises(DomainError) as exc:
        qualification_revoke(qualification=saved, on=TODAY(), reason="  ", by=world["kq_staff"])
    assert (exc.value.field, exc.value.message) == ("reason", "请填写取消原因。")
    with pytest.raises(DomainError) as exc:
        qualification_revoke(
            qualification=saved, on=saved.valid_from - timedelta(days=1), reason="x", by=world["kq_staff"]
        )
    assert exc.value.message == f"取消日期不能早于发证日期（{saved.valid_from.isoformat()}）。"
    with pytest.raises(ConflictError):
        qualification_revoke(
            qualification=saved, on=TODAY(), reason="x", expected_version=7, by=world["kq_staff"]
        )
    assert Organization.objects.get(pk=world["org_a"].pk).tier == Tier.HNTE
    revoked = qualification_revoke(
        qualification=saved,
        on=TODAY(),
        reason="累计两年未填报年度发展情况报表",
        expected_version=1,
        by=world["kq_staff"],
    )
    assert (revoked.revoked_on, revoked.revoke_reason, revoked.version) == (
        TODAY(),
        "累计两年未填报年度发展情况报表",
        2,
    )
    line = audit_for(saved, action="transition").get()
    assert (line.actor, line.from_state, line.to_state, line.reason, line.region_code) == (
        world["kq_staff"],
        "in_force",
        "revoked",
        "累计两年未填报年度发展情况报表",
        "330603L01",
    )
    assert Organization.objects.get(pk=world["org_a"].pk).tier == Tier.NONE
    with pytest.raises(DomainError) as exc:
        qualification_revoke(qualification=revoked, on=TODAY(), reason="again", by=world["kq_staff"])
    assert exc.value.message == f"该资质已于{TODAY().isoformat()}取消。"
    with pytest.raises(DomainError) as exc:
        qualification_save(
            organization=world["org_a"],
            qualification=revoked,
            data={"certificate_no": "x"},
            by=world["kq_staff"],
        )
    assert exc.value.message == "已取消的资质不能修改。"
    # The enterprise is told (the job runs after commit; here it is run directly).
    assert run_job_now("enterprises.notify_qualification_revoked", {"qualification_id": revoked.pk}) == 1
    note = Notification.objects.get(recipient=world["ent_a"])
    assert (note.subject, note.body) == (
        "资质已取消：高新技术企业",
        f"柯桥甲纺织有限公司的高新技术企业（证书编号：GR202333000101）自{TODAY().isoformat()}起取消。原因：累计两年未填报年度发展情况报表",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("ent_a", "只有属地科技局业务人员可以登记或取消资质。"),
        ("zj_officer", "只有属地科技局业务人员可以登记或取消资质。"),
        ("kq_officer", "只有属地科技局业务人员可以登记或取消资质。"),
        ("leader", "只有属地科技局业务人员可以登记或取消资质。"),
    ],
)
def test_only_bureau_staff_of_the_region_manage_qualifications(world, who, message):
    with pytest.raises(PermissionDenied) as exc:
        qualification_save(
            organization=world["org_a"], data={"kind": K.HNTE, "valid_from": date(2023, 12, 1)}, by=world[who]
        )
    assert exc.value.message == message
    saved = _hnte(world)
    with pytest.raises(PermissionDenied):
        qualification_revoke(qualification=saved, on=TODAY(), reason="x", by=world[who])


@pytest.mark.django_db
def test_other_county_staff_are_refused_and_non_enterprises_have_no_qualifications(world, make_user):
    from kechuang.accounts.enums import Role

    zj_staff = make_user(Role.BUREAU_STAFF, region_code="330681", department="high_tech")
    with pytest.raises(PermissionDenied) as exc:
        qualification_save(
            organization=world["org_a"], data={"kind": K.HNTE, "valid_from": date(2023, 12, 1)}, by=zj_staff
        )
    assert exc.value.message == "只有属地科技局业务人员可以登记或取消资质。"
    institution = world["institution"].organization
    with pytest.raises(DomainError) as exc:
        qualification_save(
            organization=institution,
            data={"kind": K.HNTE, "valid_from": date(2023, 12, 1)},
            by=world["staff"],
        )
    assert exc.value.message == "该单位不是企业。"


# --- pages --------------------------------------------------------------------------------------


def _form(**data):
    return {"form_token": data.pop("form_token", uuid.uuid4().hex), **data}


@pytest.mark.django_db
def test_bureau_staff_register_edit_and_revoke_through_pages(client, world):
    org = world["org_a"]
    client.force_login(world["kq_staff"])
    assert client.get(reverse("enterprises:qualification_create", args=[org.pk])).status_code == 200
    response = client.post(
        reverse("enterprises:qualification_create", args=[org.pk]),
        _form(
            kind="hnte",
            level="",
            certificate_no="GR202333000201",
            valid_from="2023-12-01",
            valid_until="2026-12-01",
        ),
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain == [
        (reverse("enterprises:detail", args=[org.pk]) + "#qualifications", 302)
    ]
    assert "已登记资质：高新技术企业" in body
    assert "发证日期2023-12-01对应的有效期至应为2026-11-30，登记的是2026-12-01，请核对证书。" in body
    saved = Qualification.objects.get()
    refused = client.post(
        reverse("enterprises:qualification_edit", args=[saved.pk]),
        _form(
            kind="hnte",
            certificate_no="GR202333000201",
            valid_from="2023-12-01",
            valid_until="2023-11-01",
            version=1,
        ),
    )
    assert "有效期至应晚于发证日期。" in refused.content.decode()
    client.post(
        reverse("enterprises:qualification_edit", args=[saved.pk]),
        _form(
            kind="hnte", certificate_no="GR202333000201", valid_from="2023-12-01", valid_until="", version=1
        ),
    )
    saved.refresh_from_db()
    assert (saved.valid_until, saved.version) == (date(2026, 11, 30), 2)
    stale = client.post(
        reverse("enterprises:qualification_edit", args=[saved.pk]),
        _form(kind="hnte", certificate_no="GR1", valid_from="2023-12-01", valid_until="", version=1),
    )
    assert "该记录已被他人修改，请刷新后重新编辑。" in stale.content.decode()
    assert client.get(reverse("enterprises:qualification_revoke", args=[saved.pk])).status_code == 200
    revoke_url = reverse("enterprises:qualification_revoke", args=[saved.pk])
    missing = client.post(revoke_url, _form(on="2026-06-01", reason="", version=2))
    assert "这个字段是必填项。" in missing.content.decode()
    done = client.post(
        revoke_url, _form(on="2026-06-01", reason="复核不符合认定条件", version=2), follow=True
    )
    assert "已取消资质：高新技术企业（自2026-06-01起）" in done.content.decode()
    saved.refresh_from_db()
    assert (saved.revoked_on, saved.revoke_reason) == (date(2026, 6, 1), "复核不符合认定条件")


@pytest.mark.django_db
def test_the_same_form_posted_twice_registers_once(client, world):
    client.force_login(world["kq_staff"])
    url = reverse("enterprises:qualification_create", args=[world["org_a"].pk])
    data = _form(form_token="once-1", kind="tsme", valid_from="2026-04-01", valid_until="2026-12-31")
    client.post(url, data)
    again = client.post(url, data)
    assert "该表单已经提交过，请勿重复提交。" in again.content.decode()
    assert Qualification.objects.count() == 1


@pytest.mark.django_db
def test_enterprise_users_read_their_own_qualifications_only(client, world):
    _hnte(world)
    org_a, org_b = world["org_a"], world["org_b"]
    client.force_login(world["ent_a"])
    own = client.get(reverse("enterprises:detail", args=[org_a.pk])).content.decode()
    assert "GR202333000101" in own
    assert reverse("enterprises:qualification_create", args=[org_a.pk]) not in own
    assert "取消资格" not in own
    assert client.get(reverse("enterprises:qualification_create", args=[org_a.pk])).status_code == 403
    saved = Qualification.objects.get()
    assert client.get(reverse("enterprises:qualification_edit", args=[saved.pk])).status_code == 403
    posted = client.post(
        reverse("enterprises:qualification_revoke", args=[saved.pk]), _form(on="2026-06-01", reason="x")
    )
    assert posted.status_code == 403
    assert Qualification.objects.get().revoked_on is None
    client.force_login(world["ent_b"])
    other = client.get(reverse("enterprises:detail", args=[org_a.pk]))
    assert other.status_code == 403
    assert "您无权查看该企业的信息。" in other.content.decode()
    listing = client.get(reverse("enterprises:qualification_list")).content.decode()
    assert "GR202333000101" not in listing and "共 0 项资质" in listing
    client.force_login(world["zj_officer"])
    assert client.get(reverse("enterprises:detail", args=[org_a.pk])).status_code == 403
    client.force_login(world["kq_officer"])
    officer = client.get(reverse("enterprises:detail", args=[org_a.pk])).content.decode()
    assert "GR202333000101" in officer and "取消资格" not in officer
    client.force_login(world["leader"])
    assert client.get(reverse("enterprises:detail", args=[org_b.pk])).status_code == 200


@pytest.mark.django_db
def test_mine_takes_an_enterprise_user_to_their_page(client, world):
    client.force_login(world["ent_a"])
    response = client.get(reverse("enterprises:mine"))
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("enterprises:detail", args=[world["org_a"].pk]),
    )
    client.force_login(world["staff"])
    assert client.get(reverse("enterprises:mine")).status_code == 403


@pytest.mark.django_db
def test_list_filters_and_exports(client, world):
    today = TODAY()
    org_c = OrganizationFactory(name="越城丙电子有限公司", region=region("330602L01"))
    _hnte(world, valid_from=today - timedelta(days=1000))  # 95 days left
    soon = qualification_save(
        organization=world["org_b"],
        data={
            "kind": K.TSME,
            "certificate_no": "T-B",
            "valid_from": today - timedelta(days=100),
            "valid_until": today + timedelta(days=20),
        },
        by=world["staff"],
    )
    gone = qualification_save(
        organization=org_c,
        data={
            "kind": K.TSME,
            "certificate_no": "T-C",
            "valid_from": today - timedelta(days=100),
            "valid_until": today + timedelta(days=50),
        },
        by=world["staff"],
    )
    qualification_revoke(qualification=gone, on=today, reason="不再符合条件", by=world["staff"])
    url = reverse("enterprises:qualification_list")

    def numbers(user, **params):
        client.force_login(world[user])
        response = client.get(url, params)
        assert response.status_code == 200
        return [row.qualification.certificate_no for row in response.context["rows"]]

    assert numbers("staff") == ["GR202333000101", "T-B", "T-C"]
    assert numbers("kq_staff") == ["GR202333000101"]
    assert numbers("staff", kind="tsme") == ["T-B", "T-C"]
    assert numbers("staff", expiring_within="30") == ["T-B"]
    assert numbers("staff", expiring_within="100") == ["T-B", "GR202333000101"]
    assert numbers("staff", status="revoked") == ["T-C"]
    assert numbers("staff", status="in_force", region="330681") == ["T-B"]
    assert numbers("staff", level="national") == ["GR202333000101"]
    assert numbers("staff", q="诸暨乙") == ["T-B"]
    response = client.get(url, {"kind": "tsme", "format": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "企业名称",
        "统一社会信用代码",
        "属地",
        "资质类型",
        "级别",
        "证书编号",
        "发证日期",
        "有效期至",
        "状态",
        "取消日期",
        "取消原因",
    ]
    assert [(r[0], r[5], r[8], r[10]) for r in rows[1:]] == [
        ("诸暨乙机械有限公司", "T-B", "有效", None),
        ("越城丙电子有限公司", "T-C", "已取消", "不再符合条件"),
    ]
    assert soon.pk


@pytest.mark.django_db
def test_suggest_fills_the_hnte_expiry(client, world):
    client.force_login(world["kq_staff"])
    url = reverse("enterprises:qualification_suggest")
    blank = client.get(url, {"kind": "hnte", "valid_from": "2023-12-01", "valid_until": ""}).content.decode()
    assert "已按发证日期起三年填入：2026-11-30。" in blank
    assert 'value="2026-11-30" hx-swap-oob="true"' in blank
    differs = client.get(
        url, {"kind": "hnte", "valid_from": "2023-12-01", "valid_until": "2026-12-01"}
    ).content.decode()
    assert "对应的有效期至应为2026-11-30" in differs
    other = client.get(url, {"kind": "tsme", "valid_from": "2023-12-01"}).content.decode()
    assert "hx-swap-oob" not in other


@pytest.mark.django_db
def test_detail_page_shows_the_panels_that_exist(client, world, monkeypatch):
    module = types.ModuleType("kechuang_test_panel")
    module.panel = lambda *, user, organization: f"面板：{organization.name}"
    silent = types.ModuleType("kechuang_test_silent")
    silent.panel = lambda *, user, organization: None
    monkeypatch.setitem(sys.modules, "kechuang_test_panel", module)
    monkeypatch.setitem(sys.modules, "kechuang_test_silent", silent)
    monkeypatch.setattr(
        qualification_views,
        "PANELS",
        (
            ("hint", "kechuang_test_panel", "enterprises/qualifications/_hint.html"),
            ("missing", "kechuang_test_absent_module", "enterprises/qualifications/_hint.html"),
            ("silent", "kechuang_test_silent", "enterprises/qualifications/_hint.html"),
            ("notemplate", "kechuang_test_panel", "enterprises/nothing/_panel.html"),
        ),
    )
    client.force_login(world["ent_a"])
    response = client.get(reverse("enterprises:detail", args=[world["org_a"].pk]))
    assert list(response.context["panels"]) == ["hint"]
    assert (
        '<div id="hint"><span id="valid-until-hint">面板：柯桥甲纺织有限公司</span>'
        in response.content.decode()
    )


@pytest.mark.django_db
def test_detail_page_query_count_does_not_grow_with_qualifications(client, world, monkeypatch):
    monkeypatch.setattr(qualification_views, "PANELS", ())
    client.force_login(world["kq_staff"])
    url = reverse("enterprises:detail", args=[world["org_a"].pk])
    _hnte(world)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(6):
        Qualification.objects.create(
            organization=world["org_a"],
            kind=K.PATENT_DEMO,
            level=L.CITY,
            valid_from=date(2010 + 2 * n, 1, 1),
            valid_until=date(2011 + 2 * n, 1, 1),
        )
    with CaptureQueriesContext(connection) as seven:
        assert client.get(url).status_code == 200
    assert len(seven) == len(one) <= 8


# --- API ----------------------------------------------------------------------------------------


def _api(client, user):
    _, raw = api_token_create(user=user, name="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _send(client, method, url, payload):
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_api_create_update_revoke(client, world):
    api = _api(client, world["kq_staff"])
    created = _send(
        api,
        "post",
        "/api/enterprises/qualifications",
        {
            "organization_id": world["org_a"].pk,
            "kind": "hnte",
            "certificate_no": "GR202333000301",
            "valid_from": "2023-12-01",
            "valid_until": "2026-12-01",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["level"], body["valid_until"], body["version"], body["organization_name"]) == (
        "national",
        "2026-12-01",
        1,
        "柯桥甲纺织有限公司",
    )
    assert body["warnings"] == [
        "高新技术企业资格自颁发证书之日起有效期为三年（国科发火〔2016〕32号第九条），"
        "发证日期2023-12-01对应的有效期至应为2026-11-30，登记的是2026-12-01，请核对证书。"
    ]
    pk = body["id"]
    duplicate = _send(
        api,
        "post",
        "/api/enterprises/qualifications",
        {"organization_id": world["org_a"].pk, "kind": "hnte", "valid_from": "2024-01-01"},
    )
    assert (duplicate.status_code, duplicate.json()["field"]) == (400, "valid_from")
    updated = _send(
        api, "patch", f"/api/enterprises/qualifications/{pk}", {"version": 1, "valid_until": "2026-11-30"}
    )
    assert (updated.status_code, updated.json()["version"], updated.json()["warnings"]) == (200, 2, [])
    stale = _send(
        api, "patch", f"/api/enterprises/qualifications/{pk}", {"version": 1, "certificate_no": "X"}
    )
    assert (stale.status_code, stale.json()) == (409, {"detail": "该记录已被他人修改，请刷新后重新编辑。"})
    no_reason = _send(
        api, "post", f"/api/enterprises/qualifications/{pk}/revocation", {"on": "2025-06-01", "reason": ""}
    )
    assert (no_reason.status_code, no_reason.json()) == (
        400,
        {"detail": "请填写取消原因。", "field": "reason"},
    )
    revoked = _send(
        api,
        "post",
        f"/api/enterprises/qualifications/{pk}/revocation",
        {"on": "2025-06-01", "reason": "弄虚作假", "version": 2},
    )
    assert (revoked.status_code, revoked.json()["state"], revoked.json()["revoked_on"]) == (
        200,
        "revoked",
        "2025-06-01",
    )
    listing = api.get("/api/enterprises/qualifications", {"status": "revoked"}).json()
    assert (listing["count"], [item["id"] for item in listing["items"]]) == (1, [pk])
    bad = api.get("/api/enterprises/qualifications", {"kind": "nonsense"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_api_permissions_match_the_pages(client, world):
    saved = _hnte(world)
    api = _api(client, world["ent_b"])
    assert api.get("/api/enterprises/qualifications").json() == {"items": [], "count": 0}
    read = api.get(f"/api/enterprises/qualifications/{saved.pk}")
    assert (read.status_code, read.json()) == (403, {"detail": "您无权查看该企业的信息。"})
    change = _send(
        api, "patch", f"/api/enterprises/qualifications/{saved.pk}", {"version": 1, "certificate_no": "X"}
    )
    assert change.status_code == 403
    own = _api(client, world["ent_a"])
    assert [
        item["certificate_no"] for item in own.get("/api/enterprises/qualifications").json()["items"]
    ] == ["GR202333000101"]
    create = _send(
        own,
        "post",
        "/api/enterprises/qualifications",
        {
            "organization_id": world["org_a"].pk,
            "kind": "tsme",
            "valid_from": "2026-04-01",
            "valid_until": "2026-12-31",
        },
    )
    assert (create.status_code, create.json()) == (
        403,
        {"detail": "只有属地科技局业务人员可以登记或取消资质。"},
    )
    revoke = _send(
        own,
        "post",
        f"/api/enterprises/qualifications/{saved.pk}/revocation",
        {"on": "2025-06-01", "reason": "x"},
    )
    assert revoke.status_code == 403
    assert Qualification.objects.get().revoked_on is None
