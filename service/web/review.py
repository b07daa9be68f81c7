"""What the approver approves (issue 14): a draft decision in full — kind, months, monthly amount with
its 算定内訳, payee, a stop's cause and evidence, the differences from the decision it supersedes — and
a preview of every letter its approval would issue.

The preview renders the letters with the letters module exactly as approval would: inside a savepoint
the draft is approved and its letters issued, their PDFs are read, and the savepoint is rolled back, so
nothing of it stays (no review, no grant, no 文書番号). The read is audited afterwards.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from payments import bank_codes
from service import rules
from service.web.labels import (
    ACCOUNT_TYPE,
    DECISION_KIND,
    PAYEE_KIND,
    REPAYMENT_CAUSE,
    STOP_CAUSE,
    STOP_EVIDENCE,
    month_ja,
    yen,
)
from service.workflows.common import Actor, audit


def _months_text(months: list[str]) -> str:
    if not months:
        return "なし"
    if len(months) > 2 and all(rules.add_months(months[i], 1) == months[i + 1] for i in range(len(months) - 1)):
        return f"{month_ja(months[0])}〜{month_ja(months[-1])}（{len(months)}か月）"
    return "、".join(month_ja(m) for m in months)


def _period(first: str, count: int) -> str:
    return _months_text([rules.add_months(first, i) for i in range(count)])


def bank_name(bank_code: str | None, branch_code: str | None) -> str:
    """「みずほ銀行 東京営業部（0001-001）」 (payments.bank_codes.display_name, the one look-up)."""
    return bank_codes.display_name(bank_code, branch_code)


def masked_account(number: str | None) -> str:
    text = str(number or "")
    return "—" if not text else "＊" * max(0, len(text) - 3) + text[-3:]


def payee_rows(payee: dict[str, Any]) -> list[tuple[str, str]]:
    if not payee:
        return []
    return [
        ("支払先", f"{payee.get('name') or '—'}（{PAYEE_KIND.get(str(payee.get('payee_kind')), '—')}）"),
        ("振込先", bank_name(payee.get("bank_code"), payee.get("branch_code"))),
        ("口座", f"{ACCOUNT_TYPE.get(str(payee.get('account_type')), '—')} {masked_account(payee.get('account_number'))}"),
        ("口座名義", str(payee.get("holder_kana") or "—")),
    ]


def _application_of(view: dict[str, Any], d: dict[str, Any]) -> dict[str, Any] | None:
    app_id = d.get("application_id")
    if app_id is None and d.get("grant_id") is not None:
        grant = next((g for g in view["grants"] if g["grant_id"] == d["grant_id"]), None)
        app_id = grant.get("application_id") if grant else None
    if app_id is None:  # the initial application carries the payee
        app_id = next((a["id"] for a in view["applications"] if a["kind"] == "initial"), None)
    return next((a for a in view["applications"] if a["id"] == app_id), None)


def _grant_of(view: dict[str, Any], d: dict[str, Any]) -> dict[str, Any] | None:
    return next((g for g in view["grants"] if g["grant_id"] == d.get("grant_id")), None)


def what_rows(view: dict[str, Any], d: dict[str, Any]) -> list[tuple[str, str]]:
    """The decision in words: kind, months and amounts, cause."""
    kind, result, params = d["kind"], d.get("result") or {}, d.get("params") or {}
    rows: list[tuple[str, str]] = [("決定の種類", DECISION_KIND.get(kind, kind))]
    grant = _grant_of(view, d)
    if kind in ("grant", "regrant") and result.get("first_benefit_month"):
        first = str(result["first_benefit_month"])
        rows.append(("支給期間", _period(first, rules.period_rules(first).period_months)))
        rows.append(("月額", yen(result.get("amount_yen"))))
    elif kind == "extension" and grant is not None and grant.get("period_last_month"):
        first = rules.add_months(str(grant["period_last_month"]), 1)
        rows.append(("延長する期間", _period(first, rules.period_rules(first).period_months)))
        rows.append(("月額", yen(result.get("amount_yen", grant.get("amount_yen")))))
    elif kind == "change":
        rows.append(("適用月", month_ja(result.get("effective_month") or params.get("effective_month"))))
        rows.append(("月額", f"{yen(result.get('previous_amount_yen'))} → {yen(result.get('amount_yen'))}"))
    elif kind == "interruption":
        rows.append(("中断する月", _months_text(list(result.get("interrupted_months") or []))))
    elif kind == "resumption":
        rows.append(("中断していた月", _months_text(list(result.get("paused_months") or []))))
        rows.append(("再開後の支給月", _months_text(list(result.get("resumed_months") or []))))
    elif kind == "stop":
        rows.append(("中止の理由", STOP_CAUSE.get(str(result.get("cause")), str(result.get("cause")))))
        rows.append(("事実の発生日", str(result.get("event_date") or "—")))
        rows.append(("不支給となる最初の月", month_ja(result.get("first_unpaid_month"))))
        rows.append(("取り消す支給予定月", _months_text(list(result.get("cancelled_months") or []))))
        if result.get("paid_months_after_stop"):
            rows.append(("中止後に支払済の月（返還の対象）", _months_text(list(result["paid_months_after_stop"]))))
    elif kind == "repayment":
        rows.append(("返還の理由", REPAYMENT_CAUSE.get(str(result.get("cause")), str(result.get("cause")))))
        for item in result.get("months") or []:
            rows.append((f"{month_ja(item.get('month'))}分", yen(item.get("amount_yen"))))
        rows.append(("返還額の合計", yen(result.get("amount_yen"))))
    elif kind == "moving_grant":
        rows.append(("支給額", yen(result.get("amount_yen"))))
    elif kind == "moving_confirmation":
        rows.append(("確定額", f"{yen(result.get('confirmed_amount_yen'))}（決定額 {yen(result.get('decided_amount_yen'))}）"))
    elif kind == "eligibility_certificate":
        rows.append(("上限額", yen(result.get("rent_ceiling_yen"))))
    return rows


def evidence_rows(view: dict[str, Any], d: dict[str, Any]) -> list[dict[str, Any]]:
    """A stop's evidence: each required kind, the document given for it and the clerk's note."""
    if d["kind"] != "stop":
        return []
    docs = {doc["id"]: doc for doc in view["documents"]}
    given = {item.get("kind"): item for item in (d.get("params") or {}).get("evidence") or []}
    required = list((d.get("result") or {}).get("evidence_required") or [])
    rows = []
    for kind in dict.fromkeys([*required, *given]):
        item = given.get(kind) or {}
        doc = docs.get(item.get("document_id"))
        rows.append({"label": STOP_EVIDENCE.get(str(kind), str(kind)), "given": bool(item),
                     "document": doc, "note": item.get("note")})
    return rows


#: what a correction may change, compared field by field with the decision it supersedes
_COMPARED = (("amount_yen", "金額", yen), ("first_benefit_month", "支給開始月", month_ja),
             ("first_unpaid_month", "不支給となる最初の月", month_ja), ("cause", "理由", None),
             ("event_date", "事実の発生日", None), ("confirmed_amount_yen", "確定額", yen),
             ("rent_ceiling_yen", "上限額", yen), ("household_income_yen", "世帯収入", yen))


def differences(view: dict[str, Any], d: dict[str, Any]) -> tuple[dict[str, Any] | None, list[tuple[str, str, str]]]:
    """(the superseded decision, [(what, before, after)]) for a correction."""
    old = next((x for x in view["decisions"] if x["id"] == d.get("supersedes_decision_id")), None)
    if old is None:
        return None, []
    rows = []
    before, after = old.get("result") or {}, d.get("result") or {}
    for key, label, fmt in _COMPARED:
        if before.get(key) != after.get(key) and (key in before or key in after):
            def show(value: Any, fmt: Any = fmt, key: str = key) -> str:
                if value is None:
                    return "—"
                if key == "cause":
                    return STOP_CAUSE.get(str(value)) or REPAYMENT_CAUSE.get(str(value)) or str(value)
                return str(fmt(value)) if fmt else str(value)
            rows.append((label, show(before.get(key)), show(after.get(key))))
    old_months = [m.get("month") for m in before.get("months") or []]
    new_months = [m.get("month") for m in after.get("months") or []]
    if old_months != new_months:
        rows.append(("対象月", _months_text([str(m) for m in old_months]), _months_text([str(m) for m in new_months])))
    return old, rows


def review_panel(view: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    app = _application_of(view, d)
    payee = dict((app or {}).get("intake", {}).get("payee") or {})
    superseded, diffs = differences(view, d)
    return {"what": what_rows(view, d), "payee": payee_rows(payee) if d["kind"] not in ("refusal", "stop",
                                                                                          "interruption") else [],
            "evidence": evidence_rows(view, d), "superseded": superseded, "differences": diffs}


# --- letter preview ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PreviewLetter:
    title: str
    addressee_kind: str
    pdf: bytes


def preview_letters(session: Session, actor: Actor, decision_id: int) -> list[PreviewLetter]:
    """Every letter the draft's approval would issue, rendered by the letters module and then undone."""
    from service.db.models import Decision
    from service.errors import Conflict, Forbidden, NotFound
    from service.workflows import decisions
    from service.workflows import letters as letters_wf
    from service.workflows.common import load_case

    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"decision {decision_id} not found", field="decision_id")
    load_case(session, actor, decision.case_id)
    if decision.drafted_by == actor.user_id:
        raise Forbidden("the drafter previews through the approver", code="two_person_rule")
    as_approver = dataclasses.replace(actor, role="approver")
    nested = session.begin_nested()
    try:
        decisions.approve_decision(session, as_approver, decision_id, issue_letters=False)
        issued = letters_wf.issue_letters_for_decision(session, as_approver, decision_id)
        out = [PreviewLetter(title=str(letter.title), addressee_kind=str(letter.addressee_kind),
                             pdf=bytes(letter.pdf)) for letter in issued]
    finally:
        nested.rollback()
    if not out and decision.kind != "moving_confirmation":
        raise Conflict("no letter to preview", code="not_found", field="decision_id")
    audit(session, actor, "letter.preview", case_id=decision.case_id, target=f"decision:{decision_id}",
          detail={"count": len(out)})
    return out
