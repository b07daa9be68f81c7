"""Finance endpoints (role ``finance``): payees, monthly runs, batches, the 全銀 file, returns,
statements, receivables, exports and statistics. Approvals need a second finance user (PD17)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile

from service.deps import ActorDep, SessionDep
from service.errors import Conflict, PayloadTooLarge, parse_date
from service.schemas.common import Month, RateMonth
from service.schemas.payments import (
    CancelIn,
    GrantPayeeIn,
    PayeeCreate,
    PayeeUpdate,
    PaymentRunIn,
    RepaymentPlanIn,
    RepaymentReceiptIn,
)
from service.workflows import finance_reports, receivables
from service.workflows import payments as wf
from service.workflows.common import audit, require_role

router = APIRouter(tags=["payments"])

MAX_RETURNS_BYTES = 5 * 1024 * 1024


@router.get("/payees")
def list_payees(actor: ActorDep, session: SessionDep, limit: int = Query(default=200, ge=1, le=1000),
                offset: int = Query(default=0, ge=0)) -> list[dict[str, Any]]:
    payees = wf.list_payees(session, actor, limit=limit, offset=offset)
    # Landlords' bank details are personal data: every read is audited (issue 12).
    audit(session, actor, "payee.list", target="payees", detail={"payee_ids": [p.id for p in payees]})
    return [wf.payee_dict(p) for p in payees]


@router.post("/payees", status_code=201)
def create_payee(body: PayeeCreate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Register a landlord/agent account; ``problems`` lists what keeps it out of batches."""
    return wf.payee_dict(wf.create_payee(session, actor, body.model_dump()))


@router.get("/payees/{payee_id}")
def get_payee(payee_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    require_role(actor, wf.FINANCE)
    payee = wf.load_payee(session, payee_id)
    audit(session, actor, "payee.read", target=f"payee:{payee.id}")
    return wf.payee_dict(payee)


@router.patch("/payees/{payee_id}")
def update_payee(payee_id: int, body: PayeeUpdate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Change a payee; a changed account is sent with 新規コード 2 and re-opens returned transfers."""
    return wf.payee_dict(wf.update_payee(session, actor, payee_id, body.model_dump(exclude_unset=True)))


@router.put("/grants/{grant_id}/payees/{part}")
def assign_payee(grant_id: int, part: Literal["rent", "moving_initial", "moving_other"], body: GrantPayeeIn,
                 actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    row = wf.assign_grant_payee(session, actor, grant_id, part, body.payee_id)
    return {"grant_id": row.grant_id, "part": row.part, "payee_id": row.payee_id}


@router.get("/grants-without-payee")
def grants_without_payee(actor: ActorDep, session: SessionDep,
                         limit: int = Query(default=200, ge=1, le=1000)) -> list[dict[str, Any]]:
    """Payable grants whose intake payee cannot be registered: assign one (PUT /grants/{id}/payees/{part})."""
    return wf.grants_missing_payees(session, actor, limit=limit)


@router.get("/grants/{grant_id}/payments")
def grant_payments(grant_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    return wf.grant_payments(session, actor, grant_id)


@router.post("/payment-runs", status_code=201)
def run_month(body: PaymentRunIn, actor: ActorDep, session: SessionDep, response: Response) -> dict[str, Any]:
    """The monthly run: a draft batch (201), or nothing new to pay (200, ``batch_id`` null)."""
    report = wf.prepare_month(session, actor, body.benefit_month)
    if report.batch_id is None:
        response.status_code = 200
    return report.to_dict()


@router.get("/payment-batches")
def list_batches(actor: ActorDep, session: SessionDep, benefit_month: Month | None = None) -> list[dict[str, Any]]:
    return wf.list_batches(session, actor, benefit_month=benefit_month)


@router.get("/payment-batches/{batch_id}")
def get_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.get_batch(session, actor, batch_id)


@router.post("/payment-batches/{batch_id}/approve")
def approve_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.batch_dict(session, wf.approve_batch(session, actor, batch_id))


@router.post("/payment-batches/{batch_id}/export")
def export_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    exported = wf.export_batch(session, actor, batch_id)
    return {"batch_id": batch_id, "filename": exported.filename, "sha256": exported.sha256,
            "record_count": exported.record_count, "total_yen": exported.total_yen}


@router.get("/payment-batches/{batch_id}/file", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def download_file(batch_id: int, actor: ActorDep, session: SessionDep) -> Response:
    """The exported 総合振込 file, byte for byte (cp932, CRLF). A GET changes nothing: a batch not yet
    exported (POST …/export) answers 409 (issue 12)."""
    require_role(actor, wf.FINANCE)
    wf.load_batch(session, batch_id)
    if wf.batch_status(session, batch_id) not in ("exported", "settled"):
        raise Conflict("the batch has not been exported: POST /payment-batches/{id}/export first",
                       code="not_exported", field="batch_id")
    exported = wf.export_batch(session, actor, batch_id)
    return Response(content=exported.content, media_type="text/plain; charset=shift_jis",
                    headers={"Content-Disposition": f'attachment; filename="{exported.filename}"',
                             "X-Content-SHA256": exported.sha256})


@router.post("/payment-batches/{batch_id}/settle")
def settle_batch(batch_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return wf.batch_dict(session, wf.settle_batch(session, actor, batch_id))


@router.post("/payment-batches/{batch_id}/cancel")
def cancel_batch(batch_id: int, actor: ActorDep, session: SessionDep, body: CancelIn | None = None) -> dict[str, Any]:
    return wf.batch_dict(session, wf.cancel_batch(session, actor, batch_id, reason=(body or CancelIn()).reason))


@router.get("/payment-batches/{batch_id}/statements")
def statements(batch_id: int, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    """支払明細 per payee (data for the letters)."""
    return [asdict(s) for s in wf.remittance_statements(session, actor, batch_id)]


@router.get("/payment-batches/{batch_id}/payment-list.{fmt}", response_class=Response)
def payment_list(batch_id: int, fmt: Literal["csv", "xlsx"], actor: ActorDep, session: SessionDep) -> Response:
    content = finance_reports.payment_list_bytes(session, actor, batch_id, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content=content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="payments_{batch_id}.{fmt}"'})


@router.post("/payment-returns")
def import_returns(actor: ActorDep, session: SessionDep, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Returned transfers (振込不能・組戻し), the payments.returns CSV. All lines or none."""
    require_role(actor, wf.FINANCE)
    data = file.file.read(MAX_RETURNS_BYTES + 1)
    if len(data) > MAX_RETURNS_BYTES:
        raise PayloadTooLarge("the returns file is too large", field="file")
    return asdict(wf.import_returns(session, actor, data))


@router.get("/receivables")
def list_receivables(actor: ActorDep, session: SessionDep, open_only: bool = False) -> list[dict[str, Any]]:
    return [receivables.receivable_dict(r) for r in receivables.receivables(session, actor, open_only=open_only)]


@router.post("/repayment-claims/{claim_id}/plan", status_code=201)
def repayment_plan(claim_id: int, body: RepaymentPlanIn, actor: ActorDep, session: SessionDep) -> list[dict[str, Any]]:
    items = [(parse_date(i.due_date, f"instalments.{n}.due_date"), i.amount_yen) for n, i in enumerate(body.instalments)]
    return receivables.set_repayment_plan(session, actor, claim_id, items)


@router.post("/repayment-claims/{claim_id}/receipts", status_code=201)
def repayment_receipt(claim_id: int, body: RepaymentReceiptIn, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    received = receivables.record_repayment(session, actor, claim_id, body.amount_yen,
                                            parse_date(body.received_on, "received_on"), body.note)
    return receivables.receivable_dict(received)


@router.get("/statistics/monthly.csv", response_class=Response)
def monthly_statistics(month: RateMonth, actor: ActorDep, session: SessionDep) -> Response:
    content = finance_reports.monthly_statistics_csv(session, actor, month)
    return Response(content=content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="statistics_{month}.csv"'})
