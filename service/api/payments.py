"""Finance endpoints (role ``finance``): payees, monthly runs, batches, the 全銀 file, returns,
statements, receivables, exports and statistics. Approvals need a second finance user (PD17)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile

from service.deps import ActorDep, SessionDep
from service.errors import PayloadTooLarge, parse_date
from service.schemas.common import Month, RateMonth
from service.schemas.payments import (
    BatchOut,
    BatchTransfersOut,
    CancelIn,
    ExportIn,
    ExportOut,
    GrantPayeeIn,
    GrantPayeeOut,
    GrantWithoutPayeeOut,
    LedgerRowOut,
    PayeeCreate,
    PayeeOut,
    PayeeUpdate,
    PaymentRunIn,
    PlanInstalmentOut,
    ReceivableOut,
    RemittanceStatementOut,
    RepaymentPlanIn,
    RepaymentReceiptIn,
    ReturnsReportOut,
    RunReportOut,
    StatementFileOut,
    StatementProgressOut,
)
from service.schemas.refunds import RefundIn, RefundOrderOut
from service.workflows import finance_reports, receivables
from service.workflows import payments as wf
from service.workflows.common import audit, require_role
from service.workflows.payments import refunds
from service.workflows.payments import statements as statement_archive

router = APIRouter(tags=["payments"])

#: A file download in the OpenAPI document: bytes of the declared media type.
FILE_SCHEMA: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}

MAX_RETURNS_BYTES = 5 * 1024 * 1024


@router.get("/payees", response_model=list[PayeeOut])
def list_payees(actor: ActorDep, session: SessionDep, limit: int = Query(default=200, ge=1, le=1000),
                offset: int = Query(default=0, ge=0)) -> list[dict[str, Any]]:
    payees = wf.list_payees(session, actor, limit=limit, offset=offset)
    # Landlords' bank details are personal data: every read is audited (issue 12).
    audit(session, actor, "payee.list", target="payees", detail={"payee_ids": [p.id for p in payees]})
    return [wf.payee_dict(p) for p in payees]


@router.post("/payees", status_code=201, response_model=PayeeOut)
def create_payee(body: PayeeCreate, actor: ActorDep, session: SessionDep, response: Response) -> dict[str, Any]:
    """Register a landlord/agent account; ``problems`` lists what keeps it out of batches. One account is
    one payee: the same account with the same holder and kind returns the existing payee (200); with
    another holder or kind it is refused (409 naming the other payee)."""
    payee, created = wf.register_payee(session, actor, body.model_dump())
    if not created:
        response.status_code = 200
    return wf.payee_dict(payee)


@router.get("/payees/{payee_id}", response_model=PayeeOut)
def get_payee(payee_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    require_role(actor, wf.FINANCE)
    payee = wf.load_payee(session, payee_id)
    audit(session, actor, "payee.read", target=f"payee:{payee.id}")
    return wf.payee_dict(payee)


@router.patch("/payees/{payee_id}", response_model=PayeeOut)
def update_payee(payee_id: int, body: PayeeUpdate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Change a payee; a changed account is sent with 新規コード 2 and re-opens returned transfers."""
    return wf.payee_dict(wf.update_payee(session, actor, payee_id, body.model_dump(exclude_unset=True)))


@router.put("/grants/{grant_id}/payees/{part}", response_model=GrantPayeeOut)
def assign_payee(grant_id: int, part: Literal["rent", "moving_initial", "moving_other"], body: GrantPayeeIn,
                 actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    row = wf.assign_grant_payee(session, actor, grant_id, part, body.payee_id)
    return {"grant_id": row.grant_id, "part": row.part, "payee_id": row.payee_id}


@router.get("/grants-without-payee", response_model=list[GrantWithoutPayeeOut])
def grants_without_payee(actor: ActorDep, session: SessionDep,
                         limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    """Payable grants whose intake payee cannot be registered: assign one (PUT /grants/{id}/payees/{part})."""
    return wf.grants_missing_payees(session, actor, limit=limit)


@router.get("/grants/{grant_id}/payments", response_model=list[LedgerRowOut])
def grant_payments(grant_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    return wf.grant_payments(session, actor, grant_id)


@router.post("/payment-runs", status_code=201, response_model=RunReportOut)
def run_month(body: PaymentRunIn, actor: ActorDep, session: SessionDep, response: Response) -> dict[str, Any]:
    """The monthly run: a draft batch (201), or nothing new to pay (200, ``batch_id`` null)."""
    report = wf.prepare_month(session, actor, body.benefit_month)
    if report.batch_id is None:
        response.status_code = 200
    return report.to_dict()


@router.get("/payment-batches", response_model=list[BatchOut])
def list_batches(actor: ActorDep, session: SessionDep, benefit_month: Month | None = None) -> list[dict[str, Any]]:
    return wf.list_batches(session, actor, benefit_month=benefit_month)


@router.get("/payment-batches/{batch_id}", response_model=BatchOut)
def get_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.get_batch(session, actor, batch_id)


@router.post("/payment-batches/{batch_id}/approve", response_model=BatchOut)
def approve_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.batch_dict(session, wf.approve_batch(session, actor, batch_id))


@router.post("/payment-batches/{batch_id}/export", response_model=ExportOut)
def export_batch(batch_id: int, actor: ActorDep, session: SessionDep, body: ExportIn | None = None) -> dict[str, Any]:
    """Write the approved batch's 全銀 file once (409 when already exported: download it). ``pay_date``:
    the 振込指定日, a bank business day not in the past (default the run's pay date, PD18). The batch's
    支払明細書 are not rendered here: they are due, and the letter worker renders and archives them after
    this commit (``statements_due``; progress at ``/statements`` and ``/statement-progress``)."""
    chosen = (body or ExportIn()).pay_date
    exported = wf.export_batch(session, actor, batch_id,
                               pay_date=parse_date(chosen, "pay_date") if chosen is not None else None)
    due = statement_archive.mark_due(session, actor, batch_id)  # 支払明細書: rendered by the letter worker
    return {"batch_id": batch_id, "filename": exported.filename, "sha256": exported.sha256,
            "record_count": exported.record_count, "total_yen": exported.total_yen, "statements": 0,
            "statements_due": due,
            "statements_message": f"支払明細書（{due}件）を作成中です。作成が終わるとダウンロードできます。"}


@router.get("/payment-batches/{batch_id}/file", response_class=Response,
            responses={200: {"content": {"text/plain": FILE_SCHEMA}}})
def download_file(batch_id: int, actor: ActorDep, session: SessionDep) -> Response:
    """The exported 総合振込 file, byte for byte (cp932, CRLF). Never changes the batch (409 before export
    and for a cancelled batch)."""
    exported = wf.download_file(session, actor, batch_id)
    return Response(content=exported.content, media_type="text/plain; charset=shift_jis",
                    headers={"Content-Disposition": f'attachment; filename="{exported.filename}"',
                             "X-Content-SHA256": exported.sha256})


@router.post("/payment-batches/{batch_id}/settle", response_model=BatchOut)
def settle_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.batch_dict(session, wf.settle_batch(session, actor, batch_id))


@router.post("/payment-batches/{batch_id}/cancel", response_model=BatchOut)
def cancel_batch(batch_id: int, actor: ActorDep, session: SessionDep, body: CancelIn | None = None) -> dict[str, Any]:
    return wf.batch_dict(session, wf.cancel_batch(session, actor, batch_id, reason=(body or CancelIn()).reason))


@router.get("/payment-batches/{batch_id}/statements", response_model=list[RemittanceStatementOut])
def statements(batch_id: int, actor: ActorDep, session: SessionDep, response: Response) -> list[dict[str, Any]]:
    """支払明細 per payee (data for the letters). The headers ``X-Statements-Stored`` and
    ``X-Statements-Expected`` say how many of the PDFs are stored so far (``/statement-progress``: with
    the last rendering failure)."""
    data = [asdict(s) for s in wf.remittance_statements(session, actor, batch_id)]
    progress = statement_archive.statement_progress(session, batch_id)
    response.headers["X-Statements-Stored"] = str(progress.stored)
    response.headers["X-Statements-Expected"] = str(progress.expected)
    return data


@router.get("/payment-batches/{batch_id}/statement-progress", response_model=StatementProgressOut)
def statement_progress(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """How many 支払明細書 of the batch are stored, of how many, and the last rendering failure while
    incomplete (the letter worker renders them after export)."""
    require_role(actor, wf.FINANCE)
    wf.load_batch(session, batch_id)
    return statement_archive.statement_progress(session, batch_id).as_dict()


@router.get("/payment-batches/{batch_id}/transfers", response_model=BatchTransfersOut)
def batch_transfers(batch_id: int, actor: ActorDep, session: SessionDep,
                    limit: int = Query(default=200, ge=1, le=1000),
                    offset: int = Query(default=0, ge=0)) -> dict[str, Any]:
    """Every transfer of the batch (payee, bank and branch names, masked account, cases and months,
    amounts) with the batch's totals: what the second finance user approves (PD17). Paged by transfer."""
    return finance_reports.batch_transfers(session, actor, batch_id, limit=limit, offset=offset)


@router.get("/payment-batches/{batch_id}/statement-files", response_model=list[StatementFileOut])
def statement_files(batch_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    """The archived 支払明細書 of an exported batch: number, payee, total and SHA-256 of each stored PDF."""
    return statement_archive.statement_index(session, actor, batch_id)


@router.get("/payment-batches/{batch_id}/statement-files/{number}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": FILE_SCHEMA}}})
def statement_pdf(batch_id: int, number: int, actor: ActorDep, session: SessionDep) -> Response:
    """One archived 支払明細書, byte for byte as stored at export."""
    stored = statement_archive.statement_file(session, actor, batch_id, number)
    return Response(content=stored.content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="statement_{batch_id}_{number:03d}.pdf"',
        "X-Content-SHA256": stored.sha256})


@router.get("/payment-batches/{batch_id}/payment-list.{fmt}", response_class=Response, responses={200: {"content": {
    "text/csv": FILE_SCHEMA, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FILE_SCHEMA}}})
def payment_list(batch_id: int, fmt: Literal["csv", "xlsx"], actor: ActorDep, session: SessionDep,
                 layout: Literal["machine", "ja"] = "machine") -> Response:
    """The 支払一覧. ``layout=machine`` (default, stable for integrations: English column ids and codes)
    or ``ja`` (Japanese headers and labels, account columns, a 合計 row; README «Finance exports»)."""
    content = finance_reports.payment_list_bytes(session, actor, batch_id, fmt, layout)
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    suffix = "" if layout == "machine" else "_ja"
    return Response(content=content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="payments_{batch_id}{suffix}.{fmt}"'})


@router.get("/payment-returns/template.csv", response_class=Response,
            responses={200: {"content": {"text/csv": FILE_SCHEMA}}})
def returns_template(actor: ActorDep) -> Response:
    """The returned-transfer CSV template: UTF-8 with BOM, the Japanese header line
    (バッチ番号,振込番号,金額,不能事由コード,不能事由; README «Returned transfers»)."""
    require_role(actor, wf.FINANCE)
    from payments.returns import RETURNS_TEMPLATE_CSV

    return Response(content=RETURNS_TEMPLATE_CSV, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="returns_template.csv"'})


@router.post("/payment-returns", response_model=ReturnsReportOut)
def import_returns(actor: ActorDep, session: SessionDep, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Returned transfers (振込不能・組戻し): the CSV of ``GET /payment-returns/template.csv`` (the English
    header of earlier versions is still read). All lines or none; a refusal lists every problem with
    its line and column (``error.details``), in Japanese."""
    require_role(actor, wf.FINANCE)
    data = file.file.read(MAX_RETURNS_BYTES + 1)
    if len(data) > MAX_RETURNS_BYTES:
        raise PayloadTooLarge("the returns file is too large", field="file")
    return asdict(wf.import_returns(session, actor, data))


@router.get("/receivables", response_model=list[ReceivableOut])
def list_receivables(actor: ActorDep, session: SessionDep, open_only: bool = False) -> list[dict[str, Any]]:
    return [receivables.receivable_dict(r) for r in receivables.receivables(session, actor, open_only=open_only)]


@router.post("/repayment-claims/{claim_id}/plan", status_code=201, response_model=list[PlanInstalmentOut])
def repayment_plan(claim_id: int, body: RepaymentPlanIn, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    items = [(parse_date(i.due_date, f"instalments.{n}.due_date"), i.amount_yen) for n, i in enumerate(body.instalments)]
    return receivables.set_repayment_plan(session, actor, claim_id, items)


@router.post("/repayment-claims/{claim_id}/receipts", status_code=201, response_model=ReceivableOut)
def repayment_receipt(claim_id: int, body: RepaymentReceiptIn, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    received = receivables.record_repayment(session, actor, claim_id, body.amount_yen,
                                            parse_date(body.received_on, "received_on"), body.note)
    return receivables.receivable_dict(received)


@router.post("/repayment-claims/{claim_id}/refunds", status_code=201, response_model=RefundOrderOut)
def draft_refund(claim_id: int, body: RefundIn, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A refund order (還付, PD9) for the claim's whole refund due, to the recipient's account (a payee of
    kind ``recipient``); another finance user approves it and the next monthly run pays it by transfer."""
    return refunds.order_dict(session, refunds.draft_refund(session, actor, claim_id, body.payee_id, body.note))


@router.post("/refund-orders/{order_id}/approve", response_model=RefundOrderOut)
def approve_refund(order_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """決裁 of a refund order by a finance user who did not draft it (PD17)."""
    return refunds.order_dict(session, refunds.approve_refund(session, actor, order_id))


@router.post("/refund-orders/{order_id}/cancel", response_model=RefundOrderOut)
def cancel_refund(order_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return refunds.order_dict(session, refunds.cancel_refund(session, actor, order_id))


@router.get("/refund-orders", response_model=list[RefundOrderOut])
def list_refunds(actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Refund orders with their status: drafted, approved (paid in the next run), batched, paid, cancelled."""
    return refunds.list_refunds(session, actor)


@router.get("/statistics/monthly.csv", response_class=Response, responses={200: {"content": {"text/csv": FILE_SCHEMA}}})
def monthly_statistics(month: RateMonth, actor: ActorDep, session: SessionDep) -> Response:
    content = finance_reports.monthly_statistics_csv(session, actor, month)
    return Response(content=content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="statistics_{month}.csv"'})
