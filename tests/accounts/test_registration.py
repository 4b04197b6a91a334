import pytest
from django.urls import reverse

from kechuang.accounts.enums import MembershipStatus, Role
from kechuang.accounts.models import User
from kechuang.accounts.services import membership_decide
from kechuang.core.errors import PermissionDenied
from kechuang.core.models import Notification
from kechuang.organizations.enums import VerificationStatus
from kechuang.organizations.models import Organization

from ..factories import credit_code

pytestmark = pytest.mark.django_db

CODE = credit_code(5001)


def _form(**extra):
    data = {
        "credit_code": CODE,
        "kind": "enterprise",
        "organization_name": "绍兴新注册科技有限公司",
        "region": "330603L04",
        "address": "柯桥区金柯桥大道1号",
        "industry": "C",
        "tech_field": "new_materials",
        "full_name": "王小明",
        "phone": "13800000001",
        "email": "wang@example.com",
        "username": "wangxm",
        "password1": "Chuangxin2026",
        "password2": "Chuangxin2026",
        "form_token": "t-1",
    }
    data.update(extra)
    return data


def test_unknown_code_creates_a_pending_organization_with_its_first_user_as_admin(client, world):
    response = client.post(reverse("accounts:register"), _form())
    assert response.status_code == 302
    org = Organization.objects.get(credit_code=CODE)
    user = User.objects.get(username="wangxm")
    assert (org.status, org.name, org.region_id) == (
        VerificationStatus.PENDING,
        "绍兴新注册科技有限公司",
        "330603L04",
    )
    assert (user.role, user.organization, user.is_org_admin, user.membership_status) == (
        Role.ENTERPRISE,
        org,
        True,
        MembershipStatus.ACTIVE,
    )
    assert user.check_password("Chuangxin2026")


def test_second_user_of_a_known_organization_waits_for_its_admin(client, world):
    org = world["org_a"]
    response = client.post(
        reverse("accounts:register"),
        _form(
            credit_code=org.credit_code.lower(),
            username="second",
            form_token="t-2",
            kind="",
            organization_name="",
        ),
    )
    assert response.status_code == 302
    user = User.objects.get(username="second")
    assert (user.organization, user.is_org_admin, user.membership_status) == (
        org,
        False,
        MembershipStatus.PENDING,
    )
    assert user.active_organization_id is None
    # Until approved, the user cannot open the organization's page.
    client.force_login(user)
    assert client.get(reverse("organizations:detail", args=[org.pk])).status_code == 403
    membership_decide(member=user, by=world["ent_a"], approve=True)
    user.refresh_from_db()
    assert user.membership_status == MembershipStatus.ACTIVE
    assert client.get(reverse("organizations:detail", args=[org.pk])).status_code == 200


def test_only_the_organizations_own_admin_decides_membership(world, make_user):
    applicant = make_user(
        Role.ENTERPRISE, organization=world["org_a"], membership_status=MembershipStatus.PENDING
    )
    with pytest.raises(PermissionDenied) as exc:
        membership_decide(member=applicant, by=world["ent_b"], approve=True)
    assert exc.value.message == "该用户不是本单位的成员申请人。"
    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.PENDING


def test_admin_approves_through_the_members_page(client, world, make_user):
    applicant = make_user(
        Role.ENTERPRISE, organization=world["org_a"], membership_status=MembershipStatus.PENDING
    )
    client.force_login(world["ent_a"])
    page = client.get(reverse("accounts:members"))
    assert applicant.username in page.content.decode()
    client.post(reverse("accounts:member_decide", args=[applicant.pk]), {"approve": "1", "form_token": "m-1"})
    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.ACTIVE
    assert Notification.objects.filter(recipient=applicant).count() == 1


def test_wrong_credit_code_is_refused_with_a_clear_message_and_nothing_is_created(client, world):
    response = client.post(reverse("accounts:register"), _form(credit_code="914403001922038217"))
    assert response.status_code == 200
    assert "统一社会信用代码校验位错误：校验位应为 6，当前为 7。" in response.content.decode()
    assert not User.objects.filter(username="wangxm").exists()
    assert Organization.objects.count() == 4


def test_form_posted_twice_acts_once(client, world):
    first = client.post(reverse("accounts:register"), _form())
    assert first.status_code == 302
    again = client.post(reverse("accounts:register"), _form())
    assert again.status_code == 200
    assert "该表单已经提交过，请勿重复提交。" in again.content.decode()
    assert User.objects.filter(username="wangxm").count() == 1
    assert Organization.objects.filter(credit_code=CODE).count() == 1


def test_duplicate_username_is_refused(client, world):
    response = client.post(reverse("accounts:register"), _form(username=world["ent_a"].username.upper()))
    assert f"用户名 {world['ent_a'].username.upper()} 已被使用。" in response.content.decode()
    assert not Organization.objects.filter(credit_code=CODE).exists()


def test_weak_password_is_refused_and_nothing_is_created(client, world):
    response = client.post(reverse("accounts:register"), _form(password1="12345678", password2="12345678"))
    body = response.content.decode()
    assert "密码须同时包含字母和数字。" in body
    assert not Organization.objects.filter(credit_code=CODE).exists()
