import pytest
from django.urls import reverse

from kechuang.core.models import AuditLog
from kechuang.organizations.models import Organization

from ..factories import audit_for, credit_code

pytestmark = pytest.mark.django_db


def test_page_edit_records_who_what_and_from_which_address(client, world):
    org = world["org_a"]
    client.force_login(world["kq_staff"])
    response = client.post(
        reverse("organizations:edit", args=[org.pk]),
        {
            "kind": "enterprise",
            "name": org.name,
            "credit_code": org.credit_code,
            "region": org.region_id,
            "address": "柯桥区审计路9号",
            "industry": "C",
            "version": org.version,
            "form_token": "x1",
        },
        REMOTE_ADDR="10.8.0.7",
    )
    assert response.status_code == 302
    log = audit_for(org, action="update").get()
    assert (log.actor, log.actor_name, log.ip_address) == (
        world["kq_staff"],
        world["kq_staff"].username,
        "10.8.0.7",
    )
    assert log.changes == {"address": ["柯桥区笛扬路1号", "柯桥区审计路9号"]}


def test_delete_is_recorded_with_the_old_values(world):
    org = world["org_b"]
    pk = org.pk
    world["ent_b"].delete()
    org.delete()
    log = AuditLog.objects.get(action="delete", object_id=str(pk), content_type__model="organization")
    assert log.changes["name"] == ["诸暨乙机械有限公司", None]


def test_audit_entries_cannot_be_edited_or_deleted(world):
    log = AuditLog.objects.first()
    log.reason = "tampered"
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()


def test_bulk_update_and_delete_of_audit_entries_are_refused(world):
    count = AuditLog.objects.count()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(action="create").update(reason="tampered")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.count() == count
    assert not AuditLog.objects.filter(reason="tampered").exists()


def test_deleting_the_actor_leaves_the_audit_line_as_written(world):
    user = world["ent_b"]
    org = world["org_b"]
    from kechuang.organizations.services import organization_update

    organization_update(organization=org, by=user, data={"address": "诸暨审计路1号"}, expected_version=1)
    log = audit_for(org, action="update").get()
    user_id, name = user.pk, user.username
    user.delete()
    log = AuditLog.objects.get(pk=log.pk)
    assert (log.actor_id, log.actor_name) == (user_id, name)


@pytest.mark.postgresql  # the trigger of migration core/0003
def test_database_refuses_to_rewrite_audit_entries(world):
    from django.db import DatabaseError, connection, transaction

    log = AuditLog.objects.first()
    for sql in (
        "UPDATE core_auditlog SET reason = 'x' WHERE id = %s",
        "DELETE FROM core_auditlog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [log.pk])
    assert AuditLog.objects.get(pk=log.pk).reason == log.reason


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "6.6.6.6", "10.0.0.9"),  # no trusted proxy: the header is the client's word, ignored
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the proxy appended the real client last
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "foo", "10.0.0.9"),  # not an address: never stored
        (2, "203.0.113.5", "10.0.0.9"),  # fewer hops than proxies: something is off, keep the socket
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(rf, settings, proxies, forwarded, expected):
    from kechuang.core.middleware import client_ip

    settings.KECHUANG_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_forged_forwarded_header_does_not_break_an_audited_write(client, world, settings):
    settings.KECHUANG_TRUSTED_PROXIES = 1
    org = world["org_a"]
    client.force_login(world["kq_staff"])
    response = client.post(
        reverse("organizations:edit", args=[org.pk]),
        {
            "kind": "enterprise",
            "name": org.name,
            "credit_code": org.credit_code,
            "region": org.region_id,
            "address": "柯桥区伪造路1号",
            "industry": "C",
            "version": org.version,
            "form_token": "x2",
        },
        REMOTE_ADDR="10.8.0.7",
        HTTP_X_FORWARDED_FOR="<script>",
    )
    assert response.status_code == 302
    assert audit_for(org, action="update").get().ip_address == "10.8.0.7"


def test_admin_site_offers_no_change_or_delete_of_audit_entries(client, world, admin_user):
    client.force_login(admin_user)
    log = AuditLog.objects.first()
    page = client.get(reverse("admin:core_auditlog_change", args=[log.pk]))
    assert page.status_code == 200
    assert (
        client.post(reverse("admin:core_auditlog_delete", args=[log.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditLog.objects.filter(pk=log.pk).exists()


def test_bureau_admin_filters_the_trail(client, world):
    client.force_login(world["admin"])
    from kechuang.organizations.services import organization_update

    organization_update(
        organization=world["org_a"], by=world["kq_staff"], data={"address": "筛选用地址"}, expected_version=1
    )
    page = client.get(reverse("audit:list"), {"actor": world["kq_staff"].username, "action": "update"})
    body = page.content.decode()
    assert "筛选用地址" in body
    assert body.count("<tr>") == 2  # header + the one matching line


def test_county_admin_browses_only_the_countys_trail(client, world, make_user):
    from kechuang.accounts.enums import Role

    county_admin = make_user(Role.BUREAU_ADMIN, region_code="330603")
    client.force_login(county_admin)
    body = client.get(reverse("audit:list"), {"action": "create"}).content.decode()
    assert "柯桥甲纺织有限公司" in body
    assert "诸暨乙机械有限公司" not in body


def test_api_create_is_recorded_as_the_tokens_user(client, world):
    from kechuang.accounts.services import api_token_create

    _, raw = api_token_create(user=world["staff"], name="t")
    response = client.post(
        "/api/organizations",
        {
            "kind": "enterprise",
            "name": "接口登记公司",
            "credit_code": credit_code(8100),
            "region_code": "330602",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 201
    org = Organization.objects.get(name="接口登记公司")
    log = audit_for(org, action="create").get()
    assert (log.actor, log.ip_address) == (world["staff"], "10.1.2.3")
