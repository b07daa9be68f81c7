"""The authorization matrix: every role against every endpoint (table-driven)."""

from __future__ import annotations

from typing import Any

from service_world import PDF, World

ROLES = ("admin", "clerk", "approver", "finance", "agency")
ALL = set(ROLES)


def _matrix(ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    report = {"month": "2025-05", "interviews": 4, "hello_work_consultations": 2, "employer_applications": 5}
    return [
        ("GET", "/api/v1/me", {}, ALL),
        ("POST", "/api/v1/agencies", {"json": {"code": "Z{role}", "name": "z"}}, {"admin"}),
        ("POST", "/api/v1/users", {"json": {"username": "u-{role}", "role": "clerk"}}, {"admin"}),
        ("GET", "/api/v1/audit", {}, {"admin"}),
        ("POST", "/api/v1/applications", {"json": {"facts": {"benefit": "rent"}}}, {"agency"}),
        ("GET", "/api/v1/applications/{app}", {}, {"agency", "clerk", "approver"}),
        ("PATCH", "/api/v1/applications/{draft}", {"json": {"intake": {"emergency": True}}}, {"agency"}),
        ("POST", "/api/v1/applications/{app}/submit", {}, {"agency"}),
        ("POST", "/api/v1/cases/{case}/documents",
         {"data": {"kind": "other"}, "files": {"file": ("a.pdf", PDF, "application/pdf")}}, {"agency", "clerk"}),
        ("GET", "/api/v1/cases", {}, {"agency", "clerk", "approver"}),
        ("GET", "/api/v1/cases/{case}", {}, {"agency", "clerk", "approver"}),
        ("POST", "/api/v1/cases/{case}/decisions", {"json": {"kind": "interruption", "grant_id": ids["grant"],
                                                             "effective_month": "2025-07"}}, {"clerk"}),
        ("GET", "/api/v1/decisions/{decision}", {}, {"clerk", "approver"}),
        ("POST", "/api/v1/decisions/{decision}/approve", {}, {"approver"}),
        ("POST", "/api/v1/decisions/{decision}/return", {}, {"approver"}),
        ("GET", "/api/v1/grants/{grant}", {}, {"agency", "clerk", "approver", "finance"}),
        ("POST", "/api/v1/cases/{case}/monthly-reports", {"json": report}, {"agency"}),
        ("POST", "/api/v1/cases/{case}/coordination-reports", {"json": {"meeting_date": "2025-06-01"}},
         {"agency", "clerk"}),
        ("GET", "/api/v1/work-queue?month=2025-06", {}, {"clerk", "approver"}),
        ("POST", "/api/v1/stop-proposals/generate?month=2025-05", {}, {"clerk"}),
        *_finance_matrix(ids),
    ]


def _finance_matrix(ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    """Payments (issue 4): finance only; unknown ids answer 404 to finance, 403 to everyone else."""
    payee = {"kind": "agent", "name": "p", "holder_name": "ﾃｽﾄ", "bank_code": "0001", "branch_code": "001",
             "account_type": "ordinary", "account_number": "1"}
    returns = {"file": ("r.csv", b"batch_id,customer_code,amount_yen,reason_code,reason\n", "text/csv")}
    fin = {"finance"}
    return [
        ("GET", "/api/v1/payees", {}, fin),
        ("POST", "/api/v1/payees", {"json": payee}, fin),
        ("GET", "/api/v1/payees/999", {}, fin),
        ("PATCH", "/api/v1/payees/999", {"json": {"name": "x"}}, fin),
        ("PUT", "/api/v1/grants/{grant}/payees/rent", {"json": {"payee_id": 999}}, fin),
        ("GET", "/api/v1/grants/{grant}/payments", {}, fin),
        ("GET", "/api/v1/grants-without-payee", {}, fin),
        ("POST", "/api/v1/payment-runs", {"json": {"benefit_month": "2025-05"}}, fin),
        ("GET", "/api/v1/payment-batches", {}, fin),
        ("GET", "/api/v1/payment-batches/999", {}, fin),
        ("POST", "/api/v1/payment-batches/999/approve", {}, fin),
        ("POST", "/api/v1/payment-batches/999/export", {}, fin),
        ("GET", "/api/v1/payment-batches/999/file", {}, fin),
        ("POST", "/api/v1/payment-batches/999/settle", {}, fin),
        ("POST", "/api/v1/payment-batches/999/cancel", {}, fin),
        ("GET", "/api/v1/payment-batches/999/statements", {}, fin),
        ("GET", "/api/v1/payment-batches/999/payment-list.csv", {}, fin),
        ("POST", "/api/v1/payment-returns", {"files": returns}, fin),
        ("GET", "/api/v1/receivables", {}, fin),
        ("POST", "/api/v1/repayment-claims/999/plan",
         {"json": {"instalments": [{"due_date": "2025-09-30", "amount_yen": 1}]}}, fin),
        ("POST", "/api/v1/repayment-claims/999/receipts", {"json": {"amount_yen": 1, "received_on": "2025-09-30"}},
         fin),
        ("GET", "/api/v1/statistics/monthly.csv?month=2025-05", {}, fin),
    ]


def test_every_role_against_every_endpoint(world: World) -> None:
    case_id, grant_id = world.granted_case()
    app_id = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["applications"][0]["id"]
    draft_id = world.post("agency", "/api/v1/applications", 201, json={"facts": {"benefit": "rent"}}).json()["id"]
    decision_id = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["decisions"][0]["id"]
    ids = {"case": case_id, "grant": grant_id, "app": app_id, "draft": draft_id, "decision": decision_id}
    failures = []
    for method, template, kwargs, allowed in _matrix(ids):
        for role in ROLES:
            url = template.format(role=role, **ids)
            call = {k: _fill(v, role) for k, v in kwargs.items()}
            r = world.client.request(method, url, headers=world.h(role), **call)
            denied = r.status_code == 403
            if (role in allowed) == denied or r.status_code >= 500:
                failures.append(f"{method} {template} as {role}: {r.status_code} {r.text[:120]}")
            if denied:
                assert r.json()["error"]["code"] == "forbidden"
        anonymous = world.client.request(method, template.format(role="anon", **ids))
        if anonymous.status_code != 401:
            failures.append(f"{method} {template} without a token: {anonymous.status_code}")
    assert not failures, "\n".join(failures)


def _fill(value: Any, role: str) -> Any:
    if isinstance(value, str):
        return value.replace("{role}", role)
    if isinstance(value, dict):
        return {k: _fill(v, role) for k, v in value.items()}
    return value
