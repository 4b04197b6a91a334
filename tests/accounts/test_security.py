import pytest
from django.test import Client
from django.urls import reverse

from kechuang.accounts.models import ApiToken

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_with_the_right_password_lands_on_the_workbench(client, world):
    response = _login(client, world["ent_a"].username, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:workbench"))


def test_wrong_password_gives_a_chinese_message(client, world):
    response = _login(client, world["ent_a"].username, "wrong-password-1")
    assert "用户名或密码错误。连续多次错误后账号将被暂时锁定。" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, world, settings):
    username = world["ent_a"].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, username, "wrong-password-1")
    locked = _login(client, username, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多，账号已暂时锁定。" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_everywhere_ends_other_sessions_and_revokes_tokens(world):
    user = world["ent_a"]
    phone, laptop = Client(), Client()
    assert _login(phone, user.username, PASSWORD).status_code == 302
    assert _login(laptop, user.username, PASSWORD).status_code == 302
    token = ApiToken.objects.create(user=user, name="x", prefix="p", key_hash="h" * 64)
    assert phone.get(reverse("accounts:workbench")).status_code == 200
    laptop.post(reverse("accounts:logout_everywhere"))
    assert phone.get(reverse("accounts:workbench")).status_code == 302
    assert laptop.get(reverse("accounts:workbench")).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Logging in again works.
    assert _login(phone, user.username, PASSWORD).status_code == 302


def test_password_change_enforces_the_rules(client, world):
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("accounts:security"),
        {
            "old_password": PASSWORD,
            "new_password1": "abcdefghijk",
            "new_password2": "abcdefghijk",
        },
    )
    assert "密码须同时包含字母和数字。" in response.content.decode()
    short = client.post(
        reverse("accounts:security"),
        {
            "old_password": PASSWORD,
            "new_password1": "ab12",
            "new_password2": "ab12",
        },
    )
    assert "密码太短，至少需要 10 个字符。" in short.content.decode()


def test_api_token_is_shown_once_and_works_until_revoked(client, world):
    client.force_login(world["staff"])
    page = client.post(reverse("accounts:tokens"), {"name": "数据对接", "form_token": "tok-1"})
    raw = page.context["raw_token"]
    assert raw.startswith("kc_")
    token = ApiToken.objects.get(user=world["staff"])
    assert token.key_hash != raw and raw not in token.key_hash
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/organizations").status_code == 200
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api.get("/api/organizations").status_code == 401


def test_nobody_revokes_another_users_token(client, world):
    token = ApiToken.objects.create(user=world["staff"], name="x", prefix="p", key_hash="h" * 64)
    client.force_login(world["ent_a"])
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_login_is_recorded_with_the_address(client, world):
    from ..factories import audit_for

    user = world["ent_a"]
    client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    log = audit_for(user, action="login").get()
    assert (log.actor, log.ip_address, log.reason) == (user, "10.9.8.7", "登录成功")
    assert not audit_for(user, action="update").exists()  # last_login is bookkeeping, not a change
