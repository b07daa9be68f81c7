"""Issue 12, accounts an administrator controls: API tokens issued with an expiry, listed, revoked;
users deactivated (sessions and tokens end) and passwords reset; one password policy; the admin CLI;
login throttled per client, lockout per (user, client), equal work for unknown names; the absolute
session lifetime."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_world import World

from service.clock import FixedClock

PASSWORD = "a-long-enough-passphrase"


def _browser(world: World, ip: str = "192.0.2.10") -> TestClient:
    client = TestClient(world.client.app, client=(ip, 5000))
    client.__enter__()
    return client


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _csrf(page.text)},
                       follow_redirects=False)


def _set_password(world: World, who: str, password: str = PASSWORD) -> None:
    world.post("admin", f"/api/v1/users/{world.users[who]}/password", 200, json={"password": password})


def test_tokens_are_issued_listed_used_and_revoked(world: World) -> None:
    clerk = world.users["clerk"]
    issued = world.post("admin", f"/api/v1/users/{clerk}/tokens", 201, json={"label": "基幹システム", "days": 30}).json()
    assert issued["status"] == "active" and issued["token"]
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert world.client.get("/api/v1/me", headers=headers).json()["username"] == "clerk"
    listed = world.get("admin", f"/api/v1/users/{clerk}/tokens", 200).json()
    assert [t["label"] for t in listed] == ["initial", "基幹システム"]
    assert "token" not in listed[1] and "token_hash" not in str(listed)
    world.post("admin", f"/api/v1/tokens/{issued['id']}/revoke", 200)
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401
    assert world.client.get("/api/v1/me", headers=world.h("clerk")).status_code == 200  # the other token lives
    statuses = {t["id"]: t["status"] for t in world.get("admin", f"/api/v1/users/{clerk}/tokens", 200).json()}
    assert statuses[issued["id"]] == "revoked"


def test_a_token_stops_working_when_it_expires(world: World) -> None:
    clock = FixedClock.at_office_day(__import__("datetime").date(2026, 11, 29))
    world.client.app.state.office_clock = clock
    issued = world.post("admin", f"/api/v1/users/{world.users['finance']}/tokens", 201, json={"days": 2}).json()
    headers = {"Authorization": f"Bearer {issued['token']}"}
    clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert world.client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(timedelta(seconds=2))
    r = world.client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_token_administration_is_for_administrators_only(world: World) -> None:
    clerk = world.users["clerk"]
    for who in ("clerk", "approver", "finance", "agency"):
        for method, url, body in (("POST", f"/api/v1/users/{clerk}/tokens", {"days": 1}),
                                  ("GET", f"/api/v1/users/{clerk}/tokens", None),
                                  ("POST", "/api/v1/tokens/1/revoke", None),
                                  ("POST", f"/api/v1/users/{clerk}/deactivate", None),
                                  ("POST", f"/api/v1/users/{clerk}/password", {"password": PASSWORD}),
                                  ("GET", "/api/v1/users", None)):
            r = world.client.request(method, url, json=body, headers=world.h(who))
            assert r.status_code == 403, (who, url, r.status_code)


def test_deactivating_a_user_ends_their_sessions_and_tokens(world: World) -> None:
    _set_password(world, "clerk")
    screen = _browser(world)
    assert _login(screen, "clerk").status_code == 303
    assert screen.get("/queue", follow_redirects=False).status_code == 200
    extra = world.post("admin", f"/api/v1/users/{world.users['clerk']}/tokens", 201, json={"days": 5}).json()
    world.post("admin", f"/api/v1/users/{world.users['clerk']}/deactivate", 200)
    assert screen.get("/queue", follow_redirects=False).status_code == 303
    for token in (world.tokens["clerk"], extra["token"]):
        assert world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(screen, "clerk").status_code == 401
    assert {t["status"] for t in world.get("admin", f"/api/v1/users/{world.users['clerk']}/tokens", 200).json()} \
        == {"revoked"}
    r = world.post("admin", f"/api/v1/users/{world.users['admin']}/deactivate", 409)
    assert r.json()["error"]["code"] == "self_deactivation"


def test_a_password_reset_ends_the_users_sessions(world: World) -> None:
    _set_password(world, "approver")
    screen = _browser(world)
    assert _login(screen, "approver").status_code == 303
    _set_password(world, "approver", "another-long-passphrase")
    assert screen.get("/queue", follow_redirects=False).status_code == 303
    assert _login(screen, "approver", PASSWORD).status_code == 401
    assert _login(screen, "approver", "another-long-passphrase").status_code == 303


@pytest.mark.parametrize("password", ["short-pass1", "password1234", "PASSWORD1234", "123456789012",
                                      "aaaaaaaaaaaaaaaa", "demo-password-2026"])
def test_one_password_policy_for_the_api_and_the_screens(world: World, password: str) -> None:
    r = world.client.post("/api/v1/users", headers=world.h("admin"),
                          json={"username": "newuser", "role": "clerk", "password": password})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password", r.text
    r = world.client.post(f"/api/v1/users/{world.users['clerk']}/password", headers=world.h("admin"),
                          json={"password": password})
    assert r.status_code == 422, r.text
    _set_password(world, "admin")
    screen = _browser(world)
    assert _login(screen, "admin").status_code == 303
    page = screen.get("/admin/users")
    r = screen.post("/admin/users", data={"username": "newuser", "role": "clerk", "password": password,
                                          "csrf_token": _csrf(page.text)})
    assert r.status_code == 422 and "パスワード" in r.text
    page = screen.get(f"/admin/users/{world.users['clerk']}")
    r = screen.post(f"/admin/users/{world.users['clerk']}/password",
                    data={"password": password, "csrf_token": _csrf(page.text)})
    assert r.status_code == 422


def test_a_password_may_not_contain_the_user_name(world: World) -> None:
    r = world.post("admin", "/api/v1/users", 422, json={"username": "newuser", "role": "clerk",
                                                        "password": "NewUser-secret-2026"})
    assert r.json()["error"]["code"] == "weak_password"


def test_the_admin_screens_issue_and_revoke_a_token_and_deactivate(world: World) -> None:
    _set_password(world, "admin")
    screen = _browser(world)
    assert _login(screen, "admin").status_code == 303
    clerk = world.users["clerk"]
    page = screen.get(f"/admin/users/{clerk}")
    r = screen.post(f"/admin/users/{clerk}/tokens", data={"label": "連携", "days": "7", "csrf_token": _csrf(page.text)})
    token = re.search(r'<code id="api-token">([^<]+)</code>', r.text)
    assert r.status_code == 200 and token, r.text[:500]
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert world.client.get("/api/v1/me", headers=headers).status_code == 200
    token_id = max(t["id"] for t in world.get("admin", f"/api/v1/users/{clerk}/tokens", 200).json())
    page = screen.get(f"/admin/users/{clerk}")
    screen.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": _csrf(page.text)})
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401
    page = screen.get(f"/admin/users/{clerk}")
    r = screen.post(f"/admin/users/{clerk}/deactivate", data={"csrf_token": _csrf(page.text)})
    assert "無効" in r.text
    assert world.client.get("/api/v1/me", headers=world.h("clerk")).status_code == 401


def test_the_admin_command_creates_the_first_admin_without_echoing_the_password(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    url = f"sqlite:///{tmp_path / 'first.db'}"
    runner = CliRunner()
    secret = "first-admin-passphrase"
    result = runner.invoke(app, ["admin", "create", "--role", "admin", "--username", "chief", "--db", url],
                           input=secret + "\n")
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    out = __import__("json").loads(result.output.strip().splitlines()[-1])
    assert out["username"] == "chief" and out["role"] == "admin" and len(out["token"]) > 30
    weak = runner.invoke(app, ["admin", "create", "--username", "deputy", "--db", url], input="password1234\n")
    assert weak.exit_code == 2 and "weak_password" in weak.output
    from service.app import create_app
    from service.config import Settings

    served = create_app(url, settings=Settings(issue_letters_on_approval=False))
    try:
        with TestClient(served) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {out['token']}"})
            assert me.json()["role"] == "admin"
            assert _login(client, "chief", secret).status_code == 303
    finally:
        served.state.engine.dispose()


# --- login ---------------------------------------------------------------------------------------


def test_a_stranger_cannot_lock_someone_else_out(world: World) -> None:
    """Five failures from one client lock that client for the user; the user's own desk still logs in."""
    _set_password(world, "clerk")
    stranger, desk = _browser(world, "203.0.113.7"), _browser(world, "192.0.2.20")
    for _ in range(5):
        assert _login(stranger, "clerk", "guess-guess-guess").status_code == 401
    r = _login(stranger, "clerk")
    assert r.status_code == 401 and "15分間ロック" in r.text
    assert _login(desk, "clerk").status_code == 303


def test_a_client_guessing_across_names_is_throttled_with_back_off(world: World) -> None:
    from datetime import UTC, datetime

    moment = [datetime(2026, 11, 29, 1, 0, tzinfo=UTC)]
    world.client.app.state.web_clock = lambda: moment[0]
    _set_password(world, "approver")
    guesser = _browser(world, "198.51.100.9")
    for index in range(10):
        assert _login(guesser, f"user{index}", "nope-nope-nope").status_code == 401
    r = _login(guesser, "approver")  # even the right password waits
    assert r.status_code == 401 and "一時的" in r.text
    moment[0] += timedelta(seconds=31)
    assert _login(guesser, "approver", "wrong-again-wrong").status_code == 401  # 11th failure: 60 s now
    moment[0] += timedelta(seconds=31)
    assert "一時的" in _login(guesser, "approver").text
    moment[0] += timedelta(seconds=30)
    assert _login(guesser, "approver").status_code == 303
    assert _login(_browser(world, "192.0.2.30"), "approver").status_code == 303  # other clients never waited


def test_unknown_names_cost_one_argon2_verification_like_known_ones(world: World,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import service.security as security

    calls: list[str] = []
    original = security.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash[:9])
        return original(password_hash, password)

    monkeypatch.setattr(security, "verify_password", counting)
    _set_password(world, "clerk")
    screen = _browser(world)
    for name in ("clerk", "no-such-user", "agency"):  # agency has no password (API only)
        calls.clear()
        assert _login(screen, name, "wrong-password-123").status_code == 401
        assert calls == ["$argon2id"], (name, calls)


def test_a_session_ends_after_its_absolute_lifetime_however_active(world: World) -> None:
    from datetime import UTC, datetime

    from service.config import Settings

    world.client.app.state.settings = Settings(issue_letters_on_approval=False, session_max_hours=1)
    _set_password(world, "clerk")  # before the screens' clock starts: the reset ends older sessions
    moment = [datetime.now(UTC) + timedelta(minutes=1)]
    world.client.app.state.web_clock = lambda: moment[0]
    screen = _browser(world)
    assert _login(screen, "clerk").status_code == 303
    for _ in range(2):
        moment[0] += timedelta(minutes=25)
        assert screen.get("/queue", follow_redirects=False).status_code == 200
    moment[0] += timedelta(minutes=11)  # 61 minutes after login, 11 idle
    r = screen.get("/queue", follow_redirects=False)
    assert r.status_code == 303
    assert "一定時間が経過" in screen.get(r.headers["location"]).text
