import pytest

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.organizations.enums import VerificationStatus
from kechuang.organizations.models import Organization
from kechuang.organizations.services import organization_create, organization_update, organization_verify

from ..factories import OrganizationFactory, audit_for, credit_code, region

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {
        "kind": "enterprise",
        "name": "绍兴新创材料有限公司",
        "credit_code": credit_code(900),
        "region": region("330603L02"),
        "industry": "C",
        **extra,
    }


def test_bureau_staff_create_a_verified_organization_and_it_is_audited(world):
    org = organization_create(by=world["kq_staff"], data=_data())
    assert org.status == VerificationStatus.VERIFIED
    assert org.verified_by == world["kq_staff"]
    log = audit_for(org, action="create").get()
    assert log.changes["name"] == [None, "绍兴新创材料有限公司"]
    assert log.region_code == "330603L02"


def test_duplicate_credit_code_is_refused_and_names_the_existing_record(world):
    with pytest.raises(DomainError) as exc:
        organization_create(by=world["staff"], data=_data(credit_code=world["org_a"].credit_code))
    assert exc.value.message == (
        f"统一社会信用代码 {world['org_a'].credit_code} 已登记（柯桥甲纺织有限公司），不能重复登记。"
    )
    assert Organization.objects.count() == 4


def test_wrong_check_character_is_refused_with_the_expected_character(world):
    with pytest.raises(DomainError) as exc:
        organization_create(by=world["staff"], data=_data(credit_code="914403001922038217"))
    assert exc.value.message == "统一社会信用代码校验位错误：校验位应为 6，当前为 7。"
    assert Organization.objects.count() == 4


def test_bureau_may_register_a_pilot_code_with_a_recorded_reason(world):
    org = organization_create(
        by=world["staff"],
        data=_data(
            credit_code="91350211M00013FA1N",
            credit_code_override_reason="2015年前试点代码，经工商核实",
        ),
    )
    assert org.credit_code == "91350211M00013FA1N"
    assert org.credit_code_override_reason == "2015年前试点代码，经工商核实"


def test_county_staff_cannot_create_in_another_county(world):
    with pytest.raises(PermissionDenied) as exc:
        organization_create(by=world["kq_staff"], data=_data(region=region("330681L02")))
    assert exc.value.message == "不能在您管辖范围以外的区划登记单位。"


def test_enterprise_user_cannot_create_organizations(world):
    with pytest.raises(PermissionDenied):
        organization_create(by=world["ent_a"], data=_data())


def test_update_with_stale_version_is_refused_and_nothing_changes(world):
    org = world["org_a"]
    organization_update(
        organization=org, by=world["ent_a"], data={"address": "新地址1号"}, expected_version=1
    )
    with pytest.raises(ConflictError) as exc:
        organization_update(
            organization=org, by=world["staff"], data={"address": "旧页面的地址"}, expected_version=1
        )
    assert exc.value.message == "该记录已被他人修改，请刷新后重新编辑。"
    org.refresh_from_db()
    assert (org.address, org.version) == ("新地址1号", 2)


def test_update_is_audited_old_to_new(world):
    org = world["org_a"]
    organization_update(
        organization=org,
        by=world["ent_a"],
        data={"contact_phone": "0575-81234567"},
        expected_version=org.version,
    )
    log = audit_for(org, action="update").get()
    assert log.changes == {"contact_phone": ["", "0575-81234567"]}
    assert log.actor == world["ent_a"]


def test_enterprise_admin_cannot_change_its_credit_code_or_region(world):
    with pytest.raises(DomainError) as exc:
        organization_update(
            organization=world["org_a"],
            by=world["ent_a"],
            data={"region": region("330681")},
            expected_version=1,
        )
    assert exc.value.message == "不允许修改字段：region"


def test_enterprise_cannot_update_another_enterprise(world):
    with pytest.raises(PermissionDenied):
        organization_update(
            organization=world["org_b"], by=world["ent_a"], data={"address": "x"}, expected_version=1
        )
    world["org_b"].refresh_from_db()
    assert world["org_b"].address == "柯桥区笛扬路1号"


def test_verification_is_a_recorded_transition(world):
    org = OrganizationFactory(status=VerificationStatus.PENDING, region=region("330603L03"))
    organization_verify(organization=org, by=world["kq_staff"], approve=False, reason="营业执照不清晰")
    org.refresh_from_db()
    assert org.status == VerificationStatus.REJECTED
    log = audit_for(org, action="transition").get()
    assert (log.from_state, log.to_state, log.reason, log.actor) == (
        "pending",
        "rejected",
        "营业执照不清晰",
        world["kq_staff"],
    )


def test_rejection_needs_a_reason(world):
    org = OrganizationFactory(status=VerificationStatus.PENDING)
    with pytest.raises(DomainError) as exc:
        organization_verify(organization=org, by=world["staff"], approve=False, reason=" ")
    assert exc.value.message == "退回时请填写理由。"


def test_officer_of_another_region_cannot_verify(world):
    org = OrganizationFactory(status=VerificationStatus.PENDING, region=region("330603L03"))
    with pytest.raises(PermissionDenied):
        organization_verify(organization=org, by=world["zj_officer"], approve=True)


def test_pilot_code_override_works_whatever_the_interface_language(world):
    from django.utils import translation

    with translation.override("en"):
        org = organization_create(
            by=world["staff"],
            data=_data(credit_code="91350211M00013FA1N", credit_code_override_reason="pilot code, checked"),
        )
    assert org.credit_code == "91350211M00013FA1N"


def test_override_reason_does_not_excuse_a_malformed_code(world):
    with pytest.raises(DomainError) as exc:
        organization_create(
            by=world["staff"], data=_data(credit_code="91350211M00013FA1", credit_code_override_reason="试点")
        )
    assert exc.value.message == "统一社会信用代码应为18位，当前为17位。"


def test_enterprise_cannot_use_the_override(world):
    from kechuang.organizations.services import check_credit_code

    with pytest.raises(DomainError):
        check_credit_code(code="91350211M00013FA1N", by=world["ent_a"], override_reason="试点")


def test_organization_group_spans_parent_and_subsidiaries(world):
    from kechuang.organizations.selectors import organization_group_ids

    parent = OrganizationFactory(name="集团总部")
    child = OrganizationFactory(name="子公司", parent=parent)
    grandchild = OrganizationFactory(name="孙公司", parent=child)
    sibling = OrganizationFactory(name="兄弟公司", parent=parent)
    group = {parent.pk, child.pk, grandchild.pk, sibling.pk}
    assert organization_group_ids(grandchild.pk) == group
    assert organization_group_ids(parent.pk) == group
    assert organization_group_ids(world["org_a"].pk) == {world["org_a"].pk}


def test_two_character_name_search_finds_exactly_the_names_containing_it(world):
    # On PostgreSQL this goes through the bigram index (migration 0006), elsewhere through LIKE.
    from kechuang.organizations.filters import OrganizationFilter

    for name in ("绍兴纺织有限公司", "纺 织分开的公司", "织纺颠倒公司", "华宇纺织科技", "柯桥纺织"):
        OrganizationFactory(name=name, region=region("330603L02"))
    found = OrganizationFilter({"q": "纺织"}, queryset=Organization.objects.all()).qs
    assert sorted(found.values_list("name", flat=True)) == [
        "华宇纺织科技",
        "柯桥甲纺织有限公司",  # the world's enterprise A
        "柯桥纺织",
        "绍兴纺织有限公司",
    ]
