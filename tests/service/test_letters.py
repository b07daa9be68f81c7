"""Letters through the API: planned on approval (the outbox), rendered by the worker after commit,
archived append-only, reprinted byte for byte.

The other decision kinds are checked on their built content (``plan_letters``), which is what the PDF
prints word for word.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pypdfium2 as pdfium
import pytest
from service_world import INTAKE, MOVING_FACTS, RENT_FACTS, World
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from letters import LetterContent
from letters.model import date_text
from letters.pdf import render_pdf
from letters.snapshot import build_from_snapshot, to_snapshot
from service.config import Settings
from service.db.models import AuditEvent, Decision
from service.db.models_letters import Letter
from service.db.session import unit_of_work
from service.workflows import letters as wf


@pytest.fixture
def service_settings() -> Settings:
    """Letters are issued on approval in these tests."""
    return Settings(issue_letters_on_approval=True)


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def compact(text: str) -> str:
    return "".join(text.split())


def apply_with_council_consent(world: World, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """world.apply, with the recipient's consent to copy decisions to the 社会福祉協議会 on record."""
    from service_world import RENT_CONSENTS

    from service.workflows.applications import required_documents

    intake = copy.deepcopy(INTAKE)
    intake["applicant"]["name"] = "社協 同意子"  # another household than world.apply's (PD27)
    intake["consents"] = {**RENT_CONSENTS, wf.COUNCIL_CONSENT: True}
    body = {"kind": "initial", "facts": copy.deepcopy(facts or RENT_FACTS), "intake": intake}
    app = world.post("agency", "/api/v1/applications", 201, json=body).json()
    for doc_kind in required_documents("initial", app["benefit"], app["facts"]):
        world.upload(app["case_id"], doc_kind, app["id"])
    return dict(world.post("agency", f"/api/v1/applications/{app['id']}/submit", 200).json())


def run_worker(world: World) -> dict[str, int]:
    """What the worker in ``serve`` (or cron's ``letters work``) does after the approvals commit."""
    return wf.work_letters(world.client.app.state.session_factory)  # type: ignore[attr-defined]


def letters_of(world: World, case_id: int, who: str = "clerk") -> dict[str, dict[str, Any]]:
    run_worker(world)
    rows = world.get(who, f"/api/v1/cases/{case_id}/letters", 200).json()
    return {f"{row['letter_type']}/{row['addressee_kind']}": row for row in rows}


def session_of(world: World) -> Any:
    return unit_of_work(world.client.app.state.session_factory)  # type: ignore[attr-defined]


def test_a_grant_issues_its_letters_on_approval_idempotently_and_reprints_byte_for_byte(world: World) -> None:
    app = apply_with_council_consent(world)
    decision = world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    # the approval planned the letters (numbers and snapshots) and rendered none of them
    planned = {f"{row['letter_type']}/{row['addressee_kind']}": row for row in decision["letters"]}
    assert set(planned) == {"decision/recipient", "eligibility_certificate/recipient",
                            "proxy_payment_notice/landlord", "council_notice/council"}
    assert {row["status"] for row in planned.values()} == {"pending"}
    assert world.get("clerk", f"/api/v1/cases/{app['case_id']}/letters", 200).json() == []
    letters = letters_of(world, app["case_id"])
    assert set(letters) == set(planned)
    assert {k: row["document_number"] for k, row in letters.items()} == {
        k: row["document_number"] for k, row in planned.items()}
    numbers = {row["document_number"] for row in letters.values()}
    assert len(numbers) == 4 and all(n.endswith("号") and "千代生第" in n for n in numbers)

    main = letters["decision/recipient"]
    first = world.get("clerk", f"/api/v1/letters/{main['id']}/pdf", 200)
    assert first.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(first.content).hexdigest() == main["sha256"] == first.headers["x-content-sha256"]
    body = compact(pdf_text(first.content))
    for expected in ("住居確保給付金支給決定通知書", "60,000円", "算定内訳", "130,000円", "64,000円",
                     "収入認定額（世帯員1申請者", "【教示】", "千代田区長に対して審査請求", "6か月以内",
                     main["document_number"], "株式会社テスト不動産"):
        assert compact(expected) in body, expected
    landlord = world.get("clerk", f"/api/v1/letters/{letters['proxy_payment_notice/landlord']['id']}/pdf", 200)
    landlord_text = compact(pdf_text(landlord.content))
    assert "代理受領に関する通知書（支給決定）" in landlord_text and "60,000円" in landlord_text
    assert "株式会社テスト不動産御中" in landlord_text and "【教示】" not in landlord_text

    # idempotent: issuing again (and approving re-runs nothing) creates nothing new
    again = world.post("clerk", f"/api/v1/decisions/{decision['id']}/letters", 200).json()
    assert sorted(row["id"] for row in again) == sorted(row["id"] for row in letters.values())
    # a reprint is the stored bytes
    second = world.get("approver", f"/api/v1/letters/{main['id']}/pdf", 200)
    assert second.content == first.content
    with session_of(world) as session:
        stored = session.get(Letter, main["id"])
        assert stored is not None and stored.template_version.startswith(wf.wording_version())
        # and a re-render from the stored snapshot is byte-identical too (created_at = the approval time)
        content = wf.archived_contents(session, [stored])[0][0]
        assert render_pdf(content, created_at=wf.as_utc(stored.created_at)) == stored.pdf
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "letter.read")).all()
        assert len(reads) == 3 and {r.username for r in reads} == {"clerk", "approver"}
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "letter.issue")) is not None


def test_the_print_run_of_a_day_has_a_cover_list_and_every_letter(world: World) -> None:
    app = world.apply()  # no council consent: decision, certificate, landlord notice
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    letters = letters_of(world, app["case_id"])
    assert set(letters) == {"decision/recipient", "eligibility_certificate/recipient",
                            "proxy_payment_notice/landlord"}
    day = next(iter(letters.values()))["issued_on"]
    run = world.get("clerk", f"/api/v1/letters/print-run?day={day}", 200)
    assert run.headers["content-type"] == "application/pdf"
    text = compact(pdf_text(run.content))
    assert "発送文書一覧" in text and "通数3通" in text
    for row in letters.values():
        assert compact(row["document_number"]) in text
    assert page_count(run.content) >= 1 + 3
    world.get("clerk", "/api/v1/letters/print-run?day=2001-01-01", 404)
    world.get("agency", f"/api/v1/letters/print-run?day={day}", 403)


def test_a_refusal_lists_every_unmet_requirement(world: World) -> None:
    facts = dict(RENT_FACTS, assets_yen=5_000_000,
                 declarations={"hello_work_registered": False, "similar_benefit": False,
                               "gang_member_in_household": False})
    app = world.apply(facts)
    world.decide(app["case_id"], {"kind": "refusal", "application_id": app["id"]})
    letters = letters_of(world, app["case_id"])
    assert set(letters) == {"refusal/recipient"}
    text = compact(pdf_text(world.get("clerk", f"/api/v1/letters/{letters['refusal/recipient']['id']}/pdf",
                                      200).content))
    assert "住居確保給付金不支給決定通知書" in text and "【教示】" in text
    assert "金融資産の合計額が資産基準額以下であること" in text  # R21
    assert "公共職業安定所に求職の申込み" in text  # R22
    assert "5,000,000円" in text


def test_agencies_read_only_their_own_cases_recipient_letters(world: World) -> None:
    app = world.apply()
    decision = world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    mine = letters_of(world, app["case_id"], who="agency")
    assert set(mine) == {"decision/recipient", "eligibility_certificate/recipient"}
    everything = letters_of(world, app["case_id"])
    world.get("agency", f"/api/v1/letters/{mine['decision/recipient']['id']}/pdf", 200)
    world.get("agency", f"/api/v1/letters/{everything['proxy_payment_notice/landlord']['id']}/pdf", 404)
    world.get("agency_b", f"/api/v1/letters/{mine['decision/recipient']['id']}/pdf", 404)
    world.get("agency_b", f"/api/v1/cases/{app['case_id']}/letters", 404)
    world.get("finance", f"/api/v1/cases/{app['case_id']}/letters", 403)
    world.post("agency", f"/api/v1/decisions/{decision['id']}/letters", 403)
    world.post("finance", f"/api/v1/decisions/{decision['id']}/letters", 403)
    world.get("clerk", "/api/v1/letters/999999/pdf", 404)


def test_letters_are_append_only_in_the_database(world: World) -> None:
    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    letter_id = next(iter(letters_of(world, app["case_id"]).values()))["id"]
    engine = world.client.app.state.engine  # type: ignore[attr-defined]
    for statement in (f"UPDATE letter SET pdf = pdf WHERE id = {letter_id}",
                      f"UPDATE letter SET document_number = 'x' WHERE id = {letter_id}",
                      f"DELETE FROM letter WHERE id = {letter_id}"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


# --- the other decision kinds, on their content (no rendering) ------------------------------------------


def built_letters(world: World, decision_id: int) -> dict[str, LetterContent]:
    """The contents a decision's letters would print (numbers are placeholders; nothing is stored)."""
    with session_of(world) as session:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        head = wf.municipality_letterhead("131016")
        built: dict[str, LetterContent] = {}
        inputs: dict[str, Any] = {}
        for number, plan in enumerate(wf.plan_letters(session, decision), start=1):
            inputs[plan.key] = plan.build(head.letterhead(f"試第{number}号"), inputs)
            built[plan.key] = build_from_snapshot(to_snapshot(inputs[plan.key]))  # as the worker builds it
        return built


@pytest.fixture
def quiet_world(world: World) -> World:
    """The world with letters off at approval (the content tests render nothing)."""
    world.client.app.state.settings = Settings(issue_letters_on_approval=False)  # type: ignore[attr-defined]
    return world


def test_the_council_notice_needs_the_recorded_consent(quiet_world: World) -> None:
    world = quiet_world
    without = world.apply()
    d1 = world.decide(without["case_id"], {"kind": "grant", "application_id": without["id"]})
    assert "council_notice/council" not in built_letters(world, d1["id"])
    with_consent = apply_with_council_consent(world)
    d2 = world.decide(with_consent["case_id"], {"kind": "grant", "application_id": with_consent["id"]})
    council = built_letters(world, d2["id"])["council_notice/council"]
    assert council.addressee.name == "社会福祉法人千代田区社会福祉協議会"
    assert "本人の同意に基づき" in council.plain_text()
    # guide ch.7: only the minimum (who, which decision, when, the period): no amount, account or income
    assert "円" not in council.plain_text() and "支給決定" in council.plain_text()
    assert letters_of(world, with_consent["case_id"]) == {}  # nothing issued with the setting off


def test_a_stop_notice_lists_the_evidence_first_unpaid_month_and_repayment(quiet_world: World) -> None:
    world = quiet_world
    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05", "2025-06")
    evidence = [{"kind": "monthly_activity_counts", "note": "令和7年5月分 面談1回"},
                {"kind": "interview_records", "document_id": world.upload(case_id, "interview_records")},
                {"kind": "hello_work_confirmations",
                 "document_id": world.upload(case_id, "hello_work_confirmations")},
                {"kind": "reminder_log", "note": "5月12日・19日に電話"}]
    stop = world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "job_search_failure",
                                  "event_date": "2025-05-20", "evidence": evidence})
    built = built_letters(world, stop["id"])
    assert set(built) == {"stop_notice/recipient", "proxy_payment_notice/landlord"}
    notice = built["stop_notice/recipient"].plain_text()
    for expected in ("求職活動状況報告書", "令和7年5月分 面談1回", "自立相談支援機関の面談記録",
                     "公共職業安定所の職業相談の確認記録", "5月12日・19日に電話", "令和7年6月分以降は支給しません",
                     "60,000円", "返還請求書", "【教示】"):
        assert expected in notice, expected
    assert "令和7年6月分以降は振り込みません" in built["proxy_payment_notice/landlord"].plain_text()
    issued = world.post("clerk", f"/api/v1/decisions/{stop['id']}/letters", 200).json()
    stop_number = next(row["document_number"] for row in issued if row["letter_type"] == "stop_notice")
    repayment = world.decide(case_id, {"kind": "repayment", "grant_id": grant_id,
                                       "repayment_cause": "recipient_error"})
    demand_letter = built_letters(world, repayment["id"])["repayment_demand/recipient"]
    demand = demand_letter.plain_text()
    assert "住居確保給付金返還請求書" in demand and "60,000円" in demand and "納付書" in demand
    # the claim cites the stop decision by its 文書番号 and legal basis; its 納期限 is an open day
    assert stop_number in demand and "生活困窮者自立支援法施行規則第15条による支給の中止" in demand
    from letters.wareki import parse_wareki
    from service.calendar import office_calendar

    due = parse_wareki({row[0]: row[1] for row in demand_letter.tables[0].rows}["納付期限"])
    assert not office_calendar().is_closed(due)


def test_the_due_date_of_a_repayment_moves_past_closed_days() -> None:
    """30 days after 2026-12-03 is 2027-01-02 (year-end closure), then Sat 2, Sun 3 → Mon 4 January."""
    assert wf.repayment_due_date(date(2026, 12, 3), 30) == date(2027, 1, 4)
    assert wf.repayment_due_date(date(2026, 11, 2), 30) == date(2026, 12, 2)  # a Wednesday: unchanged


def test_extension_change_and_refused_extension_letters_notify_the_landlord(quiet_world: World) -> None:
    world = quiet_world
    case_id, grant_id = world.granted_case()
    change = world.apply({"application_date": "2025-05-20", "rent_yen": 55000}, kind="change", case_id=case_id)
    d = world.decide(case_id, {"kind": "change", "application_id": change["id"], "grant_id": grant_id})
    built = built_letters(world, d["id"])
    assert "変更前の支給額（月額）" in built["change_decision/recipient"].plain_text()
    assert "55,000円" in built["change_decision/recipient"].plain_text()
    assert "家賃額の変更" in built["change_decision/recipient"].plain_text()
    assert "支給額変更" in built["proxy_payment_notice/landlord"].title
    world.at("2025-07-15")  # PD30: the extension's application date is the day it is submitted
    ext = world.apply({}, kind="extension", case_id=case_id)
    d = world.decide(case_id, {"kind": "extension", "application_id": ext["id"], "grant_id": grant_id})
    built = built_letters(world, d["id"])
    text_ = built["extension_decision/recipient"].plain_text()
    assert "令和7年8月分から令和7年10月分まで（3か月）" in text_ and "6か月（上限9か月）" in text_
    assert "令和7年7月15日付けで申請のあった" in text_  # the extension application, not the first one
    assert "支給期間延長" in built["proxy_payment_notice/landlord"].title
    world.at("2025-11-01")
    late = world.apply({}, kind="extension", case_id=case_id)
    d = world.decide(case_id, {"kind": "extension_refusal", "application_id": late["id"], "grant_id": grant_id})
    built = built_letters(world, d["id"])
    assert "延長申請却下通知書" in built["extension_refusal/recipient"].title
    assert "令和7年10月分をもって振込を終了します" in built["proxy_payment_notice/landlord"].plain_text()


def test_a_moving_grant_letter_shows_costs_cap_and_who_is_paid(quiet_world: World) -> None:
    world = quiet_world
    facts = dict(MOVING_FACTS, costs=[{"category": "key_money", "amount_yen": 50000},
                                      {"category": "agency_fee", "amount_yen": 60000},
                                      {"category": "removal", "amount_yen": 140000},
                                      {"category": "deposit", "amount_yen": 60000}])
    app = world.apply(facts)
    d = world.decide(app["case_id"], {"kind": "moving_grant", "application_id": app["id"]})
    letter = built_letters(world, d["id"])["moving_decision/recipient"].plain_text()
    for expected in ("転居費用補助", "161,100円", "250,000円", "敷金", "対象外", "110,000円", "51,100円",
                     "株式会社テスト不動産", "転居先の住宅扶助基準に基づく上限額（東京都新宿区・1級地）",
                     "補助対象経費 250,000円 と支給上限額 161,100円 のいずれか低い額 ＝ 161,100円"):
        assert expected in letter, expected


def test_a_moving_confirmation_letter_fixes_the_amount_from_the_costs_spent(quiet_world: World) -> None:
    """R81: after the move the receipts fix the amount: at most the decided amount (PD13 split, R79)."""
    world = quiet_world
    app = world.apply(copy.deepcopy(MOVING_FACTS))  # key money 50,000 + removal 40,000 → 90,000 decided
    case_id = app["case_id"]
    world.decide(case_id, {"kind": "moving_grant", "application_id": app["id"]})
    grant_id = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["grants"][0]["grant_id"]
    world.upload(case_id, "housing_report")
    world.upload(case_id, "expense_evidence")
    confirmed = world.decide(case_id, {"kind": "moving_confirmation", "grant_id": grant_id, "actual_costs": [
        {"category": "key_money", "amount_yen": 50000}, {"category": "removal", "amount_yen": 30000},
        {"category": "furniture", "amount_yen": 20000}]})
    built = built_letters(world, confirmed["id"])
    assert set(built) == {"moving_confirmation/recipient"}
    letter = built["moving_confirmation/recipient"]
    text_ = letter.plain_text()
    assert "支給額確定通知書" in letter.title and letter.appeal_heading == "【教示】"
    for expected in ("支給決定額", "90,000円", "確定した支給額", "80,000円", "対象外", "20,000円",
                     "10,000円 少なくなります", "株式会社テスト不動産"):
        assert expected in text_, expected
    # PD28: the 支払予定日 is the pay date (PD18, the 25th or the bank day before) of the first run on or
    # after the confirmation: this month's when it is still ahead, else next month's.
    from payments.bank_calendar import pay_date
    from service.rules import add_months

    decided_on = letter.issued_on
    this_month = decided_on.strftime("%Y-%m")
    expected_pay = min(d for d in (pay_date(this_month), pay_date(add_months(this_month, 1))) if d >= decided_on)
    payee_rows = next(t for t in letter.tables if "支払予定日" in t.column_headings).rows
    assert [row[2] for row in payee_rows] == [date_text(expected_pay)] * len(payee_rows)


def test_a_moving_decision_says_it_is_paid_once_the_amount_is_confirmed(quiet_world: World) -> None:
    """R81: the decision pays nothing yet; its 支払日 column says when (after the 支給額確定), never blank."""
    app = quiet_world.apply(copy.deepcopy(MOVING_FACTS))
    d = quiet_world.decide(app["case_id"], {"kind": "moving_grant", "application_id": app["id"]})
    letter = built_letters(quiet_world, d["id"])["moving_decision/recipient"]
    payee_rows = next(t for t in letter.tables if "支払日" in t.column_headings).rows
    assert payee_rows and all(row[2] == "支給額の確定後" for row in payee_rows)


def test_every_letterhead_prints_with_the_font() -> None:
    from letters.pdf import font_codepoints
    from service.letterhead import fiscal_year, letterheads

    codepoints = font_codepoints()
    heads = letterheads()
    assert {"131016", "131237", "141003", "011002", "402109"} <= set(heads) and len(heads) == 26
    for head in heads.values():
        texts = (head.municipality_name, head.head_title, head.head_name, head.department, head.contact,
                 head.council_name, head.document_number(2025, 1), *head.repayment_payment_instructions,
                 *head.letterhead("1").appeal_notice_template)
        assert all(ord(ch) in codepoints for t in texts for ch in t if ch != "\n"), head.code
    assert heads["131016"].document_number(2025, 12) == "7千代生第12号"
    assert fiscal_year(date(2026, 3, 31)) == 2025 and fiscal_year(date(2026, 4, 1)) == 2026


def test_interruption_and_resumption_notices_count_the_months_against_the_cap(quiet_world: World) -> None:
    """R42: 支給中断決定通知書 and 支給再開決定通知書, with the months used of the cap (PD7)."""
    world = quiet_world
    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05")
    pause = world.decide(case_id, {"kind": "interruption", "grant_id": grant_id, "effective_month": "2025-06"})
    built = built_letters(world, pause["id"])
    assert set(built) == {"interruption_notice/recipient", "proxy_payment_notice/landlord"}
    landlord = built["proxy_payment_notice/landlord"]
    assert "支給中断" in landlord.title and "令和7年6月分から振込を中断します" in landlord.plain_text()
    text_ = built["interruption_notice/recipient"].plain_text()
    for expected in ("住居確保給付金支給中断決定通知書", "令和7年6月分から", "疾病又は負傷", "1か月（通算9か月まで）",
                     "生活困窮者自立支援法施行規則第12条第2項", "【教示】"):
        assert expected in text_, expected
    resume = world.decide(case_id, {"kind": "resumption", "grant_id": grant_id, "resume_month": "2025-10"})
    built = built_letters(world, resume["id"])
    landlord = built["proxy_payment_notice/landlord"]
    assert "支給再開" in landlord.title and "令和7年10月分から令和7年11月分まで（2か月）" in landlord.plain_text()
    text_ = built["resumption_notice/recipient"].plain_text()
    for expected in ("住居確保給付金支給再開決定通知書", "令和7年10月分から令和7年11月分まで（2か月）", "60,000円",
                     "6か月（通算9か月まで）", "【教示】"):
        assert expected in text_, expected


# --- the outbox (issue 13) -------------------------------------------------------------------------------


def _plans(world: World, case_id: int) -> dict[str, dict[str, Any]]:
    rows = world.get("clerk", f"/api/v1/cases/{case_id}/letter-plans", 200).json()
    return {f"{row['letter_type']}/{row['addressee_kind']}": row for row in rows}


def test_a_crash_after_rendering_before_commit_leaves_the_letter_pending_and_it_is_issued_once(
    world: World,
) -> None:
    """An exception injected between render and commit: nothing is archived, the failure is recorded,
    the other letters are issued; the next pass issues the letter, exactly once, with the same bytes."""
    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]

    def crash_on_the_decision(plan: Any) -> None:
        if plan.letter_type == "decision":
            raise RuntimeError("worker died after rendering")

    counts = wf.work_letters(factory, after_render=crash_on_the_decision)
    assert counts == {"issued": 2, "failed": 1, "skipped": 0}  # one failure never blocks the others
    plans = _plans(world, app["case_id"])
    assert plans["decision/recipient"]["status"] == "pending"
    assert plans["decision/recipient"]["attempts"] == 1
    assert "worker died" in plans["decision/recipient"]["error"]
    assert plans["eligibility_certificate/recipient"]["status"] == "issued"
    # the next try waits (RETRY_AFTER); a clock past it issues the letter
    from service.clock import FixedClock

    later = FixedClock(datetime.now(UTC) + timedelta(minutes=1))
    assert wf.work_letters(factory, clock=later) == {"issued": 1, "failed": 0, "skipped": 0}
    assert wf.work_letters(factory, clock=later) == {"issued": 0, "failed": 0, "skipped": 0}
    letters = letters_of(world, app["case_id"])
    assert set(letters) == set(plans) and _plans(world, app["case_id"])["decision/recipient"]["status"] == "issued"
    with session_of(world) as session:
        assert session.scalar(text("SELECT count(*) FROM letter WHERE letter_type = 'decision'")) == 1
        stored = session.get(Letter, letters["decision/recipient"]["id"])
        assert stored is not None
        content = wf.archived_contents(session, [stored])[0][0]
        assert render_pdf(content, created_at=wf.as_utc(stored.created_at)) == stored.pdf


def test_a_worker_killed_mid_render_leaves_nothing_and_the_restart_issues_each_letter_once(
    world: World, database_url: str,
) -> None:
    """SIGKILL of a worker process while it holds a rendered, uncommitted letter."""
    import os
    import signal
    import subprocess
    import sys

    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    script = (
        "import sys, time\n"
        "from service.db.session import make_engine, make_session_factory\n"
        "from service.workflows.letters import work_letters\n"
        "def pause(plan):\n"
        "    print('rendered', plan.letter_type, flush=True)\n"
        "    time.sleep(60)\n"
        "work_letters(make_session_factory(make_engine(sys.argv[1])), after_render=pause)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, database_url], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("rendered"), line
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert world.get("clerk", f"/api/v1/cases/{app['case_id']}/letters", 200).json() == []
    assert {row["status"] for row in _plans(world, app["case_id"]).values()} == {"pending"}
    assert run_worker(world)["issued"] == 3
    assert run_worker(world)["issued"] == 0
    with session_of(world) as session:
        counts = session.execute(text("SELECT letter_type, addressee_kind, count(*) FROM letter "
                                      "GROUP BY letter_type, addressee_kind")).all()
    assert sorted(count for *_, count in counts) == [1, 1, 1]


def test_a_letter_that_keeps_failing_shows_in_the_work_queue_and_a_clerk_can_retry(world: World) -> None:
    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    from service.clock import FixedClock

    def broken(plan: Any) -> None:
        if plan.addressee_kind == "landlord":
            raise ValueError("the landlord notice cannot be laid out")

    start = datetime.now(UTC)
    for minutes in (0, 1, 10):
        wf.work_letters(factory, clock=FixedClock(start + timedelta(minutes=minutes)), after_render=broken)
    landlord = _plans(world, app["case_id"])["proxy_payment_notice/landlord"]
    assert landlord["status"] == "failed" and landlord["attempts"] == wf.MAX_ATTEMPTS
    queue = world.get("clerk", "/api/v1/work-queue?month=2025-05", 200).json()
    assert [row["plan_id"] for row in queue["letters_failed"]] == [landlord["plan_id"]]
    # failed letters are not tried again until a clerk asks
    assert wf.work_letters(factory, clock=FixedClock(start + timedelta(hours=1)))["issued"] == 0
    world.post("agency", f"/api/v1/letter-plans/{landlord['plan_id']}/retry", 403)
    retried = world.post("clerk", f"/api/v1/letter-plans/{landlord['plan_id']}/retry", 200).json()
    assert retried["status"] == "pending" and retried["attempts"] == 0
    assert wf.work_letters(factory, clock=FixedClock(start + timedelta(hours=1)))["issued"] == 1
    assert world.get("clerk", "/api/v1/work-queue?month=2025-05", 200).json()["letters_failed"] == []
    world.post("clerk", f"/api/v1/letter-plans/{landlord['plan_id']}/retry", 409)
    screen = world.client.get(f"/cases/{app['case_id']}/letters")  # the case screen needs a login: 200 or redirect
    assert screen.status_code in (200, 303, 401)


def test_a_letter_that_cannot_be_printed_tells_the_clerk_what_to_correct(world: World) -> None:
    """Never silent (issue 13): a name the font cannot print fails the letter with ``missing_glyph``; the
    API says so and the clerk's queue and letters screens say in Japanese what to correct."""
    from test_finance_batch_view import _screen_login

    from letters.pdf import MissingGlyph
    from service.clock import FixedClock

    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]

    def unprintable(plan: Any) -> None:
        if plan.addressee_kind == "landlord":
            raise MissingGlyph("\U000f0000", "addressee.name")

    start = datetime.now(UTC)
    for minutes in (0, 1, 10):
        wf.work_letters(factory, clock=FixedClock(start + timedelta(minutes=minutes)), after_render=unprintable)
    landlord = _plans(world, app["case_id"])["proxy_payment_notice/landlord"]
    assert (landlord["status"], landlord["error_code"]) == ("failed", "missing_glyph")
    decision = _plans(world, app["case_id"])["decision/recipient"]
    assert (decision["status"], decision["error_code"]) == ("issued", None)
    clerk = _screen_login(world, "letters-web-clerk", "clerk")
    cause = "氏名・住所などに、通知書の書体で印字できない文字があります。"
    assert cause in clerk.get("/queue?month=2025-05").text
    assert cause in clerk.get(f"/cases/{app['case_id']}/letters").text


def test_the_outbox_tables_are_append_only(world: World) -> None:
    from service_world import assert_append_only

    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]

    def once(plan: Any) -> None:
        if plan.letter_type == "decision":
            raise RuntimeError("fails once")

    wf.work_letters(factory, after_render=once)
    assert_append_only(world.client.app.state.engine, ("letter", "letter_plan", "letter_event"))  # type: ignore[attr-defined]


def test_the_cron_command_renders_the_pending_letters(world: World, database_url: str) -> None:
    from typer.testing import CliRunner

    from service.cli import app as cli

    app = world.apply()
    world.decide(app["case_id"], {"kind": "grant", "application_id": app["id"]})
    result = CliRunner().invoke(cli, ["letters", "work", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {"issued": 3, "failed": 0, "skipped": 0}
    assert len(world.get("clerk", f"/api/v1/cases/{app['case_id']}/letters", 200).json()) == 3
