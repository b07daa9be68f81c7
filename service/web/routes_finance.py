"""Finance screens: the monthly run, batch 決裁 and export, the 全銀 file and exports, returned
transfers, receivables. Every action is a call to ``service.workflows.payments`` / ``receivables`` /
``finance_reports`` (no payment logic here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from payments import labels
from service.deps import SessionDep
from service.errors import DomainError, parse_date
from service.web.core import PostedForm, WebActor, error_text, redirect, refuse, render, require
from service.web.session import flash, today

router = APIRouter(include_in_schema=False)

EVENT_LABEL = {"created": "作成", "approved": "決裁", "exported": "全銀ファイル出力", "settled": "振込完了",
               "cancelled": "取消"}
BATCH_STATUS = {"draft": "決裁待ち", "approved": "決裁済（出力待ち）", "exported": "全銀ファイル出力済",
                "settled": "振込完了", "cancelled": "取消"}


def _download(content: bytes, filename: str, media: str, ascii_name: str | None = None) -> Response:
    """An attachment; a Japanese file name goes in ``filename*`` (RFC 6266), with an ASCII fallback."""
    from urllib.parse import quote

    fallback = ascii_name or (filename if filename.isascii() else "download")
    disposition = f'attachment; filename="{fallback}"'
    if not filename.isascii():
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": disposition, "Cache-Control": "no-store"})


@router.get("/finance", response_class=HTMLResponse)
def finance_home(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    batches = list(reversed(payments.list_batches(session, actor)))
    return render(request, "finance.html", {"batches": batches, "BATCH_STATUS": BATCH_STATUS,
                                            "this_month": today(request).strftime("%Y-%m")})


@router.get("/finance/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, session: SessionDep, actor: WebActor, batch_id: int) -> Response:
    require(actor, "finance")
    from service.workflows import finance_reports, payments

    page_text = str(request.query_params.get("page") or "1")
    page = int(page_text) if page_text.isdecimal() and 0 < int(page_text) < 100_000 else 1
    size = finance_reports.TRANSFER_PAGE
    try:
        view = finance_reports.batch_transfers(session, actor, batch_id, limit=size, offset=(page - 1) * size)
    except DomainError as exc:
        return render(request, "error.html", {"title": "支払バッチが見つかりません", "message": error_text(exc)},
                      status_code=exc.status_code)
    pages = max(1, -(-view["transfer_count"] // size))
    # The 振込指定日 offered for export: the run's date (PD18), or the next bank day once it has passed.
    suggested = payments.suggested_pay_date(actor, date.fromisoformat(view["batch"]["scheduled_pay_date"]))
    progress = None
    if view["batch"]["status"] in ("exported", "settled"):
        from service.workflows.payments import statements

        progress = statements.statement_progress(session, batch_id)  # rendered by the letter worker
    return render(request, "finance_batch.html", {
        "statement_progress": progress,
        "b": view["batch"], "view": view, "page": page, "pages": pages, "BATCH_STATUS": BATCH_STATUS,
        "EVENT_LABEL": EVENT_LABEL, "SUBSIDY": labels.SUBSIDY, "suggested_pay_date": suggested.isoformat(),
        "own_batch": view["batch"]["prepared_by"] is not None and view["batch"]["prepared_by"] == actor.user_id})


@router.post("/finance/run", response_class=HTMLResponse)
def run_month(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    month = str(form.get("benefit_month") or "").strip()
    try:
        report = payments.prepare_month(session, actor, month)
    except DomainError as exc:
        return refuse(request, session, exc, "/finance")
    if report.batch_id is None:
        flash(request, f"{month} 分で新たに支払うものはありません（対象外 {len(report.excluded)} 件）。")
        return redirect(request, "/finance")
    flash(request, f"支払バッチ #{report.batch_id} を作成しました：{report.transfer_count} 件・"
          f"{report.total_yen:,}円（支払日 {report.pay_date}）。別の会計担当者が決裁してください。", "success")
    if report.excluded:
        flash(request, f"支払先の不備などで {len(report.excluded)} 件を対象外にしました。詳細はバッチ画面で確認してください。",
              "warning")
    return redirect(request, f"/finance/batches/{report.batch_id}")


@router.post("/finance/batches/{batch_id}/{action}", response_class=HTMLResponse)
def batch_action(request: Request, session: SessionDep, actor: WebActor, form: PostedForm, batch_id: int,
                 action: str) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    messages = {"approve": "決裁しました。",
                "export": "全銀ファイルを出力しました。ダウンロードできます。支払明細書は作成中です（この画面に作成済みの件数を表示します）。",
                "settle": "振込完了として記録しました。", "cancel": "取り消しました。"}
    try:
        if action == "approve":
            payments.approve_batch(session, actor, batch_id)
        elif action == "export":
            from service.workflows.payments import statements

            chosen = str(form.get("pay_date") or "").strip()
            payments.export_batch(session, actor, batch_id,
                                  pay_date=parse_date(chosen, "pay_date") if chosen else None)
            statements.mark_due(session, actor, batch_id)  # 支払明細書: the letter worker renders them after commit
        elif action == "settle":
            payments.settle_batch(session, actor, batch_id)
        elif action == "cancel":
            payments.cancel_batch(session, actor, batch_id, reason=str(form.get("reason") or ""))
        else:
            return redirect(request, f"/finance/batches/{batch_id}")
    except DomainError as exc:
        return refuse(request, session, exc, f"/finance/batches/{batch_id}")
    flash(request, f"支払バッチ #{batch_id} を{messages[action]}", "success")
    return redirect(request, f"/finance/batches/{batch_id}")


@router.get("/finance/batches/{batch_id}/zengin")
def zengin_file(request: Request, session: SessionDep, actor: WebActor, batch_id: int) -> Response:
    """The stored 総合振込 file, byte for byte (only once the batch has been exported)."""
    require(actor, "finance")
    from service.workflows import payments

    try:
        exported = payments.download_file(session, actor, batch_id)
    except DomainError as exc:
        return refuse(request, session, exc, f"/finance/batches/{batch_id}")
    response = _download(exported.content, exported.filename, "text/plain; charset=shift_jis")
    response.headers["X-Content-SHA256"] = exported.sha256
    return response


@router.get("/finance/batches/{batch_id}/payment-list.{fmt}")
def payment_list(request: Request, session: SessionDep, actor: WebActor, batch_id: int, fmt: str) -> Response:
    require(actor, "finance")
    from service.workflows import finance_reports

    layout = str(request.query_params.get("layout") or "ja")
    if fmt not in ("csv", "xlsx") or layout not in finance_reports.LAYOUTS:
        return redirect(request, f"/finance/batches/{batch_id}")
    try:
        content = finance_reports.payment_list_bytes(session, actor, batch_id, fmt, layout)
    except DomainError as exc:
        return refuse(request, session, exc, "/finance")
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    stem = f"支払一覧_バッチ{batch_id}" if layout == "ja" else f"payments_{batch_id}"
    return _download(content, f"{stem}.{fmt}", media, ascii_name=f"payments_{batch_id}_{layout}.{fmt}")


@router.get("/finance/statistics.csv")
def statistics(request: Request, session: SessionDep, actor: WebActor, month: str) -> Response:
    require(actor, "finance")
    from service.web.core import parse_month
    from service.workflows import finance_reports

    if parse_month(month) is None:
        flash(request, "対象月は料率表の範囲内の年月（例: 2025-07）で指定してください。", "error")
        return redirect(request, "/finance")
    try:
        content = finance_reports.monthly_statistics_csv(session, actor, month)
    except DomainError as exc:
        flash(request, error_text(exc), "error")
        return redirect(request, "/finance")
    return _download(content, f"statistics_{month}.csv", "text/csv; charset=utf-8")


@router.post("/finance/returns", response_class=HTMLResponse)
def import_returns(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        flash(request, "振込不能・組戻しのファイル（CSV）を選んでください。", "error")
        return redirect(request, "/finance")
    try:
        report = payments.import_returns(session, actor, upload.file.read(5 * 1024 * 1024 + 1))
    except DomainError as exc:
        session.rollback()
        problems: list[dict[str, Any]] = list(exc.details or [])
        if problems:
            text = (f"取り込みませんでした（問題 {len(problems)} 件。すべての行が正しいときだけ取り込みます）。" +
                    " ".join(_returns_problem_text(p) for p in problems[:10]) +
                    ("　ほか。" if len(problems) > 10 else ""))
        else:
            text = error_text(exc)
        flash(request, text, "error")
        return redirect(request, "/finance")
    flash(request, f"取り込みました：新規 {report.imported} 件（取込済 {report.already_imported} 件）、"
          f"取り消した支払 {report.reversed_payments} 件・{report.reversed_yen:,}円。該当月は次回の支払で再度対象になります。",
          "success")
    return redirect(request, "/finance")


def _returns_problem_text(problem: dict[str, Any]) -> str:
    from payments.returns import column_label

    column = column_label(problem.get("field"))
    where = f"{problem.get('line')}行目" + (f"・{column}列" if column else "")
    return f"［{where}］{problem.get('message')}"


@router.get("/finance/returns-template.csv")
def returns_template(request: Request, actor: WebActor) -> Response:
    """The returned-transfer CSV template (Japanese headers; README «Returned transfers»)."""
    require(actor, "finance")
    from payments.returns import RETURNS_TEMPLATE_CSV

    return _download(RETURNS_TEMPLATE_CSV, "振込不能取込テンプレート.csv", "text/csv; charset=utf-8",
                     ascii_name="returns_template.csv")


@router.get("/finance/receivables", response_class=HTMLResponse)
def receivables_page(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "finance")
    from service.workflows import receivables

    rows = [receivables.receivable_dict(r) for r in receivables.receivables(session, actor, today=today(request))]
    return render(request, "receivables.html", {"rows": rows})


# --- payees ---------------------------------------------------------------------------------------

PAYEE_KIND_LABEL = {"landlord": "貸主", "agent": "管理会社・仲介業者", "removal_company": "引越業者",
                    "recipient": "受給者本人"}
ACCOUNT_TYPE_LABEL = {"1": "普通", "2": "当座", "4": "貯蓄", "9": "その他"}
GRANT_PART = {"rent": "家賃（月額）", "moving_initial": "転居費用（仲介業者等への初期費用）",
              "moving_other": "転居費用（引越業者等へのその他の費用）"}
PAYEE_FIELD = {"kind": "支払先の種別", "name": "名称", "corporate_number": "法人番号", "holder_name": "口座名義（カナ）",
               "bank_code": "金融機関コード", "branch_code": "支店コード", "account_type": "預金種目",
               "account_number": "口座番号"}
PROBLEM_TEXT = {
    "bank_code_format": "金融機関コードは4桁の数字です。",
    "bank_unknown": "金融機関コードが全銀の金融機関にありません。",
    "branch_code_format": "支店コードは3桁の数字です。",
    "branch_unknown": "支店コードがこの金融機関の支店にありません。",
    "account_type_invalid": "預金種目が正しくありません。",
    "account_number_format": "口座番号は7桁以内の数字です。",
    "corporate_number_invalid": "法人番号（13桁）のチェックデジットが正しくありません。",
    "japan_post_branch": "ゆうちょ銀行は振込用の店名（3桁）で登録してください。",
    "japan_post_account_type": "ゆうちょ銀行の預金種目が正しくありません。",
    "holder_name_empty": "口座名義が空です。",
    "holder_name_too_long": "口座名義が全銀の受取人名の長さ（30バイト）を超えます（切り詰めません）。",
}


def problem_text(problem: dict[str, Any]) -> str:
    """``check_payee``'s problem in Japanese (the checker's own wording kept as the detail)."""
    import re

    code = str(problem.get("code") or "")
    message = str(problem.get("message") or "")
    if code == "holder_name_unrepresentable":
        match = re.search(r"character '(.+?)' \(position (\d+)\)", message)
        if match:
            return (f"口座名義の{match.group(2)}文字目「{match.group(1)}」は全銀の振込用カナに変換できません。"
                    "カタカナ・英大文字・数字などで入力してください。")
        return "口座名義に全銀の振込用カナに変換できない文字があります。"
    return PROBLEM_TEXT.get(code, f"{PAYEE_FIELD.get(str(problem.get('field')), '')}を確認してください（{message}）。")


def _payee_rows(session: SessionDep, actor: WebActor) -> list[dict[str, Any]]:
    from service.workflows import payments
    from service.workflows.common import audit

    rows = []
    payees = payments.list_payees(session, actor, limit=500)
    audit(session, actor, "payee.list", target="payees", detail={"payee_ids": [p.id for p in payees]})  # issue 12
    for payee in payees:
        row = payments.payee_dict(payee)
        row["problem_texts"] = [problem_text(p) for p in row["problems"]]
        rows.append(row)
    return rows


def _payee_values(form: Any) -> dict[str, Any]:
    import unicodedata

    values: dict[str, Any] = {}
    for key in ("kind", "name", "corporate_number", "holder_name", "bank_code", "branch_code", "account_type",
                "account_number"):
        text = str(form.get(key) or "").strip()
        if key in ("bank_code", "branch_code", "account_number", "corporate_number", "holder_name"):
            text = unicodedata.normalize("NFKC", text)
        values[key] = text or None
    return values


def _payee_form(request: Request, payee: dict[str, Any] | None, values: dict[str, Any], error: str = "",
                status_code: int = 200) -> Response:
    return render(request, "payee_form.html", {
        "payee": payee, "values": values, "error": error, "KINDS": PAYEE_KIND_LABEL,
        "ACCOUNT_TYPES": ACCOUNT_TYPE_LABEL, "FIELDS": PAYEE_FIELD}, status_code=status_code)


@router.get("/finance/payees", response_class=HTMLResponse)
def payees_page(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    return render(request, "payees.html", {"payees": _payee_rows(session, actor), "KINDS": PAYEE_KIND_LABEL,
                                           "ACCOUNT_TYPES": ACCOUNT_TYPE_LABEL, "PARTS": GRANT_PART,
                                           "missing": payments.grants_missing_payees(session, actor)})


@router.get("/finance/payees/new", response_class=HTMLResponse)
def payee_new(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "finance")
    return _payee_form(request, None, {"account_type": "1"})


@router.get("/finance/payees/{payee_id}", response_class=HTMLResponse)
def payee_edit(request: Request, session: SessionDep, actor: WebActor, payee_id: int) -> Response:
    require(actor, "finance")
    from service.workflows import payments
    from service.workflows.common import audit

    try:
        payee = payments.payee_dict(payments.load_payee(session, payee_id))
    except DomainError as exc:
        return render(request, "error.html", {"title": "支払先が見つかりません", "message": error_text(exc)},
                      status_code=exc.status_code)
    audit(session, actor, "payee.read", target=f"payee:{payee_id}")  # bank details are personal data (issue 12)
    payee["problem_texts"] = [problem_text(p) for p in payee["problems"]]
    return _payee_form(request, payee, payee)


@router.post("/finance/payees", response_class=HTMLResponse)
@router.post("/finance/payees/{payee_id}", response_class=HTMLResponse)
def payee_save(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
               payee_id: int | None = None) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    values = _payee_values(form)
    try:
        if payee_id is None:
            saved = payments.create_payee(session, actor, values)
        else:
            saved = payments.update_payee(session, actor, payee_id, values)
    except DomainError as exc:
        session.rollback()
        field = PAYEE_FIELD.get(str(exc.field or ""), "")
        text = f"{field}：{error_text(exc)}" if field else error_text(exc)
        current = None
        if payee_id is not None:
            current = payments.payee_dict(payments.load_payee(session, payee_id))
            current["problem_texts"] = [problem_text(p) for p in current["problems"]]
        return _payee_form(request, current, values, text, status_code=422)
    result = payments.payee_dict(saved)
    if result["problems"]:
        flash(request, "支払先を保存しましたが、次の問題があるため振込の対象になりません：" +
              " ".join(problem_text(p) for p in result["problems"]), "warning")
    else:
        flash(request, f"支払先 #{saved.id}（{saved.name}）を保存しました。", "success")
    return redirect(request, f"/finance/payees/{saved.id}")


@router.post("/finance/grant-payees", response_class=HTMLResponse)
def grant_payee_assign(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    grant_text = str(form.get("grant_id") or "").strip()
    payee_text = str(form.get("payee_id") or "").strip()
    part = str(form.get("part") or "")
    if not grant_text.isdecimal() or not payee_text.isdecimal():
        flash(request, "支給番号と支払先を選んでください。", "error")
        return redirect(request, "/finance/payees")
    try:
        payments.assign_grant_payee(session, actor, int(grant_text), part, int(payee_text))
    except DomainError as exc:
        return refuse(request, session, exc, "/finance/payees")
    flash(request, f"支給 #{grant_text} の{GRANT_PART.get(part, part)}の支払先を支払先 #{payee_text} にしました。"
          "次回の支払から適用されます。", "success")
    return redirect(request, "/finance/payees")


# --- receivables: instalment plan and receipts ----------------------------------------------------


def _claim_row(session: SessionDep, actor: WebActor, request: Request, claim_id: int) -> dict[str, Any] | None:
    from service.workflows import receivables

    for r in receivables.receivables(session, actor, today=today(request)):
        if r.claim_id == claim_id:
            return receivables.receivable_dict(r)
    return None


def _claim_page(request: Request, session: SessionDep, actor: WebActor, claim_id: int,
                values: dict[str, Any] | None = None, error: str = "", status_code: int = 200) -> Response:
    row = _claim_row(session, actor, request, claim_id)
    if row is None:
        return render(request, "error.html", {"title": "債権が見つかりません",
                                              "message": f"債権 #{claim_id} は見つからないか、更正されています。"},
                      status_code=404)
    return render(request, "receivable.html", {"r": row, "values": values or {}, "error": error, "rows": PLAN_ROWS,
                                               "today": today(request).isoformat(),
                                               **_refund_context(session, actor, row)},
                  status_code=status_code)


REFUND_STATUS = {"drafted": "決裁待ち", "approved": "決裁済（次回の支払で振込）", "batched": "支払バッチに計上",
                 "paid": "振込済（全銀ファイル出力済）", "cancelled": "取消"}


def _refund_context(session: SessionDep, actor: WebActor, row: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import select

    from service.db.models_payments import Payee
    from service.workflows import finance_reports
    from service.workflows.payments import refunds

    orders = [o for o in refunds.list_refunds(session, actor) if o["grant_id"] == row["grant_id"]]
    names = finance_reports.user_names(session, {o["drafted_by"] for o in orders})
    payees = {p.id: p for p in session.scalars(select(Payee).where(Payee.kind == "recipient").order_by(Payee.id))}
    for order in orders:
        order["drafted_by_name"] = names.get(order["drafted_by"] or 0, "")
        order["payee_name"] = payees[order["payee_id"]].name if order["payee_id"] in payees else ""
    return {"refund_orders": orders, "recipients": list(payees.values()), "REFUND_STATUS": REFUND_STATUS}


@router.post("/finance/receivables/{claim_id}/refund", response_class=HTMLResponse)
def receivable_refund(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                      claim_id: int) -> Response:
    """Draft a refund (還付) order; another finance user approves it, the next run pays it."""
    require(actor, "finance")
    from service.workflows.payments import refunds

    payee_text = str(form.get("payee_id") or "").strip()
    if not payee_text.isdecimal():
        return _claim_page(request, session, actor, claim_id, dict(form), "振込先（受給者本人の口座）を選んでください。", 422)
    try:
        order = refunds.draft_refund(session, actor, claim_id, int(payee_text),
                                     note=str(form.get("note") or "").strip() or None)
    except DomainError as exc:
        session.rollback()
        text = {"refund_payee_kind": "還付は受給者本人の口座（支払先の種別「受給者本人」）へ振り込みます。",
                "no_refund_due": "還付が必要な額はありません。"}.get(exc.code, error_text(exc))
        return _claim_page(request, session, actor, claim_id, dict(form), text, 422)
    flash(request, f"還付 #{order.id}（{int(order.amount_yen):,}円）を起案しました。別の会計担当者が決裁すると、"
          "次回の支払で振り込みます。", "success")
    return redirect(request, f"/finance/receivables/{claim_id}")


@router.post("/finance/refunds/{order_id}/approve", response_class=HTMLResponse)
def refund_approve(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                   order_id: int) -> Response:
    require(actor, "finance")
    from service.workflows.payments import refunds

    claim_text = str(form.get("claim_id") or "")
    back = f"/finance/receivables/{claim_text}" if claim_text.isdecimal() else "/finance/receivables"
    try:
        refunds.approve_refund(session, actor, order_id)
    except DomainError as exc:
        return refuse(request, session, exc, back)
    flash(request, f"還付 #{order_id} を決裁しました。次回の支払で振り込みます。", "success")
    return redirect(request, back)


PLAN_ROWS = 12


@router.get("/finance/receivables/{claim_id}", response_class=HTMLResponse)
def receivable_page(request: Request, session: SessionDep, actor: WebActor, claim_id: int) -> Response:
    require(actor, "finance")
    return _claim_page(request, session, actor, claim_id)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        return None


@router.post("/finance/receivables/{claim_id}/plan", response_class=HTMLResponse)
def receivable_plan(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                    claim_id: int) -> Response:
    require(actor, "finance")
    from service.workflows import receivables

    instalments: list[tuple[date, int]] = []
    for i in range(PLAN_ROWS):
        due_text = str(form.get(f"due{i}") or "").strip()
        amount_text = str(form.get(f"amount{i}") or "").replace(",", "").replace("円", "").strip()
        if not due_text and not amount_text:
            continue
        due = _day(due_text)
        if due is None or not amount_text.isdecimal():
            return _claim_page(request, session, actor, claim_id, dict(form),
                               f"{i + 1}行目：納期限（2025-05-12 の形式）と金額（円・整数）を入力してください。", 422)
        instalments.append((due, int(amount_text)))
    try:
        receivables.set_repayment_plan(session, actor, claim_id, instalments)
    except DomainError as exc:
        session.rollback()
        text = {"plan_total": "分割額の合計が債権額と一致しません。",
                "invalid_request": "納期限は重複なく日付順に、金額は1円以上で入力してください。"}.get(exc.code, "")
        return _claim_page(request, session, actor, claim_id, dict(form), f"{text}{error_text(exc)}", 422)
    flash(request, f"債権 #{claim_id} の分割納付計画（{len(instalments)}回）を登録しました。", "success")
    return redirect(request, f"/finance/receivables/{claim_id}")


@router.post("/finance/receivables/{claim_id}/receipt", response_class=HTMLResponse)
def receivable_receipt(request: Request, session: SessionDep, actor: WebActor, form: PostedForm,
                       claim_id: int) -> Response:
    require(actor, "finance")
    from service.workflows import receivables

    amount_text = str(form.get("amount_yen") or "").replace(",", "").replace("円", "").strip()
    received_on = _day(str(form.get("received_on") or ""))
    negative = amount_text.startswith("-")
    if received_on is None or not amount_text.lstrip("-").isdecimal():
        return _claim_page(request, session, actor, claim_id, dict(form),
                           "収納日（2025-05-12 の形式）と金額（円・整数、訂正はマイナス）を入力してください。", 422)
    amount = int(amount_text) if not negative else -int(amount_text[1:])
    try:
        receivables.record_repayment(session, actor, claim_id, amount, received_on,
                                     note=str(form.get("note") or "").strip() or None)
    except DomainError as exc:
        session.rollback()
        text = {"overpayment": "残高を超える金額は収納できません。",
                "negative_balance": "訂正額が収納済の額を超えています。"}.get(exc.code, "")
        return _claim_page(request, session, actor, claim_id, dict(form), f"{text}{error_text(exc)}", 422)
    flash(request, f"債権 #{claim_id} に {amount:,}円の収納を記録しました。", "success")
    return redirect(request, f"/finance/receivables/{claim_id}")


# --- remittance statements -----------------------------------------------------------------------


@router.get("/finance/batches/{batch_id}/statements.zip")
def remittance_statements_zip(request: Request, session: SessionDep, actor: WebActor, batch_id: int) -> Response:
    """支払明細書 (one PDF per payee) of an exported batch, in one zip: the PDFs as stored at export."""
    require(actor, "finance")
    import io
    import re
    import zipfile

    from service.workflows.payments import statements

    try:
        pdfs = [(f.payee_name, f.content) for f in statements.statement_files(session, actor, batch_id)]
    except statements.StatementsPending as exc:
        session.rollback()
        flash(request, error_text(exc), "error")
        return redirect(request, f"/finance/batches/{batch_id}")
    except DomainError as exc:
        session.rollback()
        flash(request, "支払明細書は、全銀ファイルを出力したバッチについて作成できます。" + error_text(exc), "error")
        return redirect(request, f"/finance/batches/{batch_id}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, pdf) in enumerate(pdfs, start=1):
            safe = re.sub(r'[\\/:*?"<>|\s]+', "_", name)[:40] or "payee"
            info = zipfile.ZipInfo(f"{number:03d}_{safe}.pdf", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, pdf)
    return _download(buffer.getvalue(), f"statements_{batch_id}.zip", "application/zip")
