from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from kechuang.accounts.enums import Role
from kechuang.accounts.models import User
from kechuang.demo import generator
from kechuang.demo.generator import (
    DEMO_PASSWORD,
    NAMED_LOGINS,
    fixed_organizations,
    gb11714_check_char,
    generate,
    regions_from_json,
)
from kechuang.organizations.models import Organization
from kechuang.organizations.validators import credit_code_problem


def run(size: str, **kwargs) -> str:
    out = StringIO()
    call_command("demo_data", size=size, stdout=out, **kwargs)
    return out.getvalue()


# -- pure generation (no database) ------------------------------------------------------------


def test_same_seed_gives_the_same_records():
    assert generate("tiny", seed=7).as_records() == generate("tiny", seed=7).as_records()


def test_another_seed_gives_other_names():
    a = [o.name for o in generate("tiny", seed=1).organizations]
    b = [o.name for o in generate("tiny", seed=2).organizations]
    assert a != b


def test_a_bigger_size_starts_with_the_smaller_one():
    tiny = generate("tiny").organizations
    small = generate("small").organizations
    assert small[: len(tiny)] == tiny


def test_credit_codes_are_valid_and_unique():
    regions = regions_from_json()
    organizations = generate("small", regions=regions).organizations + fixed_organizations(regions)
    codes = [o.credit_code for o in organizations]
    assert len(set(codes)) == len(codes)
    assert [c for c in codes if credit_code_problem(c) is not None] == []
    # Positions 3–8 are the county of the organization's region.
    by_code = {r.code: r for r in regions}
    for org in organizations:
        region = by_code[org.region_code]
        county = region.code if region.level == "county" else region.parent
        assert org.credit_code[2:8] == county
        assert org.credit_code[16] == gb11714_check_char(org.credit_code[8:16])


def test_gb11714_check_matches_the_worked_example():
    # rules.md §4.2: organisation code 19220382-1 (华为).
    assert gb11714_check_char("19220382") == "1"


def test_distribution_looks_like_the_bureau_s_population():
    organizations = generate("small").organizations
    n = len(organizations)
    kinds = {
        k: sum(1 for o in organizations if o.kind == k) / n
        for k in ("enterprise", "institution", "provider", "agency")
    }
    assert 0.80 < kinds["enterprise"] < 0.90
    assert 0.01 < kinds["institution"] < 0.06
    assert all(o.kind != "institution" or o.institution_type for o in organizations)
    pending = sum(1 for o in organizations if o.status == "pending") / n
    assert 0.01 < pending < 0.06
    assert all((o.status == "verified") == (o.verified_at is not None) for o in organizations)
    assert sum(1 for o in organizations if "L" in o.region_code) / n > 0.7  # mostly towns
    assert all(o.contact_phone.startswith(("0575-8", "0573-8", "0570-8")) for o in organizations)
    assert len({o.name for o in organizations}) == n


# -- loading into the database ----------------------------------------------------------------


@pytest.mark.django_db
def test_second_run_adds_nothing():
    first = run("tiny")
    counts = (Organization.objects.count(), User.objects.count())
    second = run("tiny")
    assert "已写入" in first
    assert "演示数据已存在，跳过" in second
    assert (Organization.objects.count(), User.objects.count()) == counts
    assert counts[0] == generator.SIZES["tiny"].organizations + len(generator.FIXED_ORGANIZATIONS)


@pytest.mark.django_db
def test_every_role_has_a_user_and_named_logins_work():
    run("tiny")
    roles = set(User.objects.values_list("role", flat=True))
    assert set(Role.values) <= roles
    request = RequestFactory().post("/")
    for login in NAMED_LOGINS:
        user = authenticate(request=request, username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert user.role == login.role
        assert user.last_name and not user.first_name
        assert user.email == f"{login.username}@demo.kechuang.local"


@pytest.mark.django_db
def test_named_logins_have_their_scope():
    run("tiny")
    users = {u.username: u for u in User.objects.select_related("organization", "region")}
    admin = users["sx_admin"]
    assert admin.is_staff and not admin.is_superuser and admin.department == "office"
    assert admin.region_id == "330600"
    assert users["kq_staff"].region_id == "330603" and users["kq_staff"].department == "high_tech"
    assert users["kq_officer"].region_id == "330603L01"
    ent = users["ent_demo"]
    assert ent.is_org_admin and ent.active_organization_id
    assert ent.organization.name == "绍兴柯桥演示纺织科技有限公司"
    assert ent.organization.status == "verified" and ent.organization.region.parent_id == "330603"
    assert users["ent_member"].organization_id == ent.organization_id
    assert users["ent_member"].membership_status == "pending" and not users["ent_member"].is_org_admin
    assert users["ent_demo2"].organization.name == "诸暨演示五金机械有限公司"
    assert users["inst_demo"].organization.institution_type == "research_institute"
    assert users["provider_demo"].organization.kind == "provider"
    for org in Organization.objects.filter(
        credit_code__in=[o.credit_code for o in fixed_organizations(generator.regions_from_db())]
    ):
        assert credit_code_problem(org.credit_code) is None


@pytest.mark.django_db
def test_growing_keeps_the_existing_records():
    run("tiny")
    before = dict(Organization.objects.values_list("credit_code", "name"))
    run("small")
    assert Organization.objects.count() == generator.SIZES["small"].organizations + len(
        generator.FIXED_ORGANIZATIONS
    )
    after = dict(Organization.objects.values_list("credit_code", "name"))
    assert all(after[code] == name for code, name in before.items())
    assert User.objects.filter(username="org000000").count() == 1
    assert "跳过" in run("small")


@pytest.mark.django_db
def test_same_seed_loads_the_same_data_as_the_pure_generator():
    run("tiny", seed=11)
    expected = {o.credit_code: o.name for o in generate("tiny", seed=11).organizations}
    loaded = dict(Organization.objects.filter(credit_code__in=expected).values_list("credit_code", "name"))
    assert loaded == expected


@pytest.mark.django_db
def test_small_loads():
    """`make run` loads size small into SQLite (the embedded default). How long it takes is measured by the demo
    command's own log and the benchmarks, not asserted here: a timed test fails on a busy machine."""
    run("small")
    assert Organization.objects.count() >= 2000


@pytest.mark.django_db
def test_demo_logins_lists_every_named_login():
    run("tiny")
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert f"演示账号（密码均为 {DEMO_PASSWORD}）" in text and "http://127.0.0.1:8000/" in text
    for login in NAMED_LOGINS:
        assert login.username in text
    assert "尚未创建" not in text
    # One line per role: the nine that log in, and the public visitor who does not.
    from kechuang.accounts.enums import Role

    assert {login.role for login in NAMED_LOGINS} >= set(Role.values)
    assert "公众访客" in text and "（无需登录）" in text
