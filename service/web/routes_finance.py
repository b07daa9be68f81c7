"""Finance screens: the monthly run, batch 決裁 and export, the 全銀 file and exports, returned
transfers, receivables. Every action is a call to ``service.workflows.payments`` / ``receivables`` /
``finance_reports`` (no payment logic here)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from service.deps import SessionDep
from service.errors import DomainError
from service.web.core import PostedForm, WebActor, error_text, redirect, render, require
from service.web.session import flash, now

router = APIRouter(include_in_schema=False)

BATCH_STATUS = {"draft": "決裁待ち", "approved": "決裁済（出力待ち）", "exported": "全銀ファイル出力済",
                "settled": "振込完了", "cancelled": "取消"}


def _download(content: bytes, filename: str, media: str) -> Response:
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.get("/finance", response_class=HTMLResponse)
def finance_home(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    batches = list(reversed(payments.list_batches(session, actor)))
    return render(request, "finance.html", {"batches": batches, "BATCH_STATUS": BATCH_STATUS,
                                            "this_month": now(request).strftime("%Y-%m")})


@router.get("/finance/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, session: SessionDep, actor: WebActor, batch_id: int) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    try:
        batch = payments.get_batch(session, actor, batch_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": "支払バッチが見つかりません", "message": error_text(exc)},
                      status_code=exc.status_code)
    return render(request, "finance_batch.html", {"b": batch, "BATCH_STATUS": BATCH_STATUS})


@router.post("/finance/run", response_class=HTMLResponse)
def run_month(request: Request, session: SessionDep, actor: WebActor, form: PostedForm) -> Response:
    require(actor, "finance")
    from service.workflows import payments

    month = str(form.get("benefit_month") or "").strip()
    try:
        report = payments.prepare_month(session, actor, month)
    except DomainError as exc:
        session.rollback()
        flash(request, error_text(exc), "error")
        return redirect(request, "/finance")
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

    messages = {"approve": "決裁しました。", "export": "全銀ファイルを出力しました。ダウンロードできます。",
                "settle": "振込完了として記録しました。", "cancel": "取り消しました。"}
    try:
        if action == "approve":
            payments.approve_batch(session, actor, batch_id)
        elif action == "export":
            payments.export_batch(session, actor, batch_id)
        elif action == "settle":
            payments.settle_batch(session, actor, batch_id)
        elif action == "cancel":
            payments.cancel_batch(session, actor, batch_id, reason=str(form.get("reason") or ""))
        else:
            return redirect(request, f"/finance/batches/{batch_id}")
    except DomainError as exc:
        session.rollback()
        flash(request, error_text(exc), "error")
        return redirect(request, f"/finance/batches/{batch_id}")
    flash(request, f"支払バッチ #{batch_id} を{messages[action]}", "success")
    return redirect(request, f"/finance/batches/{batch_id}")


@router.get("/finance/batches/{batch_id}/zengin")
def zengin_file(request: Request, session: SessionDep, actor: WebActor, batch_id: int) -> Response:
    """The stored 総合振込 file, byte for byte (only once the batch has been exported)."""
    require(actor, "finance")
    from service.workflows import payments

    try:
        if payments.batch_status(session, batch_id) not in ("exported", "settled"):
            flash(request, "全銀ファイルは、決裁後に「全銀ファイルを出力」してからダウンロードできます。", "error")
            return redirect(request, f"/finance/batches/{batch_id}")
        exported = payments.export_batch(session, actor, batch_id)
    except DomainError as exc:
        session.rollback()
        flash(request, error_text(exc), "error")
        return redirect(request, f"/finance/batches/{batch_id}")
    response = _download(exported.content, exported.filename, "text/plain; charset=shift_jis")
    response.headers["X-Content-SHA256"] = exported.sha256
    return response


@router.get("/finance/batches/{batch_id}/payment-list.{fmt}")
def payment_list(request: Request, session: SessionDep, actor: WebActor, batch_id: int, fmt: str) -> Response:
    require(actor, "finance")
    from service.workflows import finance_reports

    if fmt not in ("csv", "xlsx"):
        return redirect(request, f"/finance/batches/{batch_id}")
    content = finance_reports.payment_list_bytes(session, actor, batch_id, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(content, f"payments_{batch_id}.{fmt}", media)


@router.get("/finance/statistics.csv")
def statistics(request: Request, session: SessionDep, actor: WebActor, month: str) -> Response:
    require(actor, "finance")
    from service.workflows import finance_reports

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
        text = error_text(exc)
        if problems:
            text += " 問題のある行：" + "、".join(f"{p.get('line')}行目（{p.get('message')}）" for p in problems[:5])
        flash(request, text, "error")
        return redirect(request, "/finance")
    flash(request, f"取り込みました：新規 {report.imported} 件（取込済 {report.already_imported} 件）、"
          f"取り消した支払 {report.reversed_payments} 件・{report.reversed_yen:,}円。該当月は次回の支払で再度対象になります。",
          "success")
    return redirect(request, "/finance")


@router.get("/finance/receivables", response_class=HTMLResponse)
def receivables_page(request: Request, session: SessionDep, actor: WebActor) -> Response:
    require(actor, "finance")
    from service.workflows import receivables

    rows = [receivables.receivable_dict(r) for r in receivables.receivables(session, actor, today=now(request).date())]
    return render(request, "receivables.html", {"rows": rows})
