"""支払明細書 rendered after the export by the letter worker, never inside it (issue 15 item 4).

The export records that the batch's statements are due; the worker renders and stores them in committed
chunks, resumes after a failure without duplicates (unique (batch, number)); downloads return the stored
bytes, render the few missing ones, or answer 409 ``statements_pending`` when many are missing."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from service_world import World
from test_finance_batch_view import _screen_login, _two_payees, fin  # noqa: F401 - the fixture is used by name

from service.clock import FixedClock


def _factory(world: World) -> Any:
    return world.client.app.state.session_factory  # type: ignore[attr-defined]


def _stored(world: World, batch_id: int) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from service.db.models_finance import PaymentStatement

    with _factory(world)() as session:
        return [(n, h) for n, h in session.execute(
            select(PaymentStatement.number, PaymentStatement.sha256)
            .where(PaymentStatement.batch_id == batch_id).order_by(PaymentStatement.number))]


def _never(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("a statement PDF was rendered here")


def _exported(world: World, monkeypatch: pytest.MonkeyPatch) -> int:
    """Two payees' batch approved and exported; the PDF renderer raises during the export."""
    from service.workflows import letters

    batch_id = int(_two_payees(world)["batch_id"])
    world.post("finance2", f"/api/v1/payment-batches/{batch_id}/approve", 200)
    with monkeypatch.context() as patch:
        patch.setattr(letters, "render_remittance_statements", _never)
        exported = world.post("finance", f"/api/v1/payment-batches/{batch_id}/export", 200).json()
    assert (exported["statements"], exported["statements_due"]) == (0, 2)
    assert "作成中" in exported["statements_message"]
    return batch_id


def _progress(world: World, batch_id: int) -> dict[str, Any]:
    return dict(world.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-progress", 200).json())


def test_the_export_renders_nothing_and_says_the_statements_are_being_prepared(fin: World,  # noqa: F811
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id = _exported(fin, monkeypatch)
    assert _stored(fin, batch_id) == []
    assert _progress(fin, batch_id) == {"batch_id": batch_id, "expected": 2, "stored": 0, "complete": False,
                                        "failure": None}
    r = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statements", 200)
    assert (r.headers["x-statements-stored"], r.headers["x-statements-expected"]) == ("0", "2")
    fin.get("clerk", f"/api/v1/payment-batches/{batch_id}/statement-progress", 403)


def test_the_worker_stores_every_statement_once_and_downloads_return_the_stored_bytes(
        fin: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from service.workflows import letters

    batch_id = _exported(fin, monkeypatch)
    counts = letters.work_letters(_factory(fin))  # what `letters work` and the thread in `serve` run
    assert (counts["statements_stored"], counts["statements_failed"]) == (2, 0)
    assert "statements_stored" not in letters.work_letters(_factory(fin))  # nothing due any more
    stored = _stored(fin, batch_id)
    assert [n for n, _ in stored] == [1, 2]
    assert _progress(fin, batch_id)["complete"] is True
    monkeypatch.setattr(letters, "render_remittance_statements", _never)  # downloads read the archive only
    listed = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json()
    assert [(s["number"], s["sha256"]) for s in listed] == stored
    for number, sha256 in stored:
        r = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files/{number}.pdf", 200)
        assert r.content.startswith(b"%PDF") and hashlib.sha256(r.content).hexdigest() == sha256
        assert r.headers["x-content-sha256"] == sha256


def test_a_worker_failing_after_its_first_chunk_is_shown_and_resumes_without_duplicates(
        fin: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from service.workflows.payments import statements

    batch_id = _exported(fin, monkeypatch)
    clock = FixedClock(fin.office_today().now())

    def killed(_batch_id: int, done: int) -> None:
        raise RuntimeError(f"killed after {done}")

    counts = statements.work_statements(_factory(fin), clock=clock, chunk_size=1, after_chunk=killed)
    assert counts == {"stored": 0, "failed": 1}  # the chunk it committed stays; the batch is recorded failed
    assert [n for n, _ in _stored(fin, batch_id)] == [1]
    progress = _progress(fin, batch_id)
    assert (progress["stored"], progress["expected"], progress["complete"]) == (1, 2, False)
    assert progress["failure"]["code"] == "RuntimeError" and "killed after 1" in progress["failure"]["message"]
    page = _screen_login(fin, "fin-web-1").get(f"/finance/batches/{batch_id}")
    assert "支払明細書の作成に失敗しました（1件 / 2件 作成済み）" in page.text
    assert statements.work_statements(_factory(fin), clock=clock) == {"stored": 0, "failed": 0}  # waits to retry
    later = FixedClock(clock.now() + timedelta(minutes=1))
    assert statements.work_statements(_factory(fin), clock=later, chunk_size=1) == {"stored": 1, "failed": 0}
    assert [n for n, _ in _stored(fin, batch_id)] == [1, 2]
    assert _progress(fin, batch_id)["failure"] is None
    assert statements.work_statements(_factory(fin), clock=later) == {"stored": 0, "failed": 0}


def test_the_worker_colliding_with_a_download_stores_the_rest_and_never_fails(
        fin: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from service.workflows.payments import statements

    batch_id = _exported(fin, monkeypatch)
    fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200)  # a download stored both
    before = _stored(fin, batch_id)
    monkeypatch.setattr(statements, "_stored_numbers", lambda *_: set())  # the worker read before the download
    actor = statements.statement_worker_actor(fin.office_today())
    assert statements._work_batch(_factory(fin), actor, batch_id, 2, 200, None) == 0
    assert _stored(fin, batch_id) == before


def test_a_download_with_many_statements_missing_answers_statements_pending(
        fin: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from service.workflows import letters
    from service.workflows.payments import statements

    batch_id = _exported(fin, monkeypatch)
    monkeypatch.setattr(statements, "RENDER_IN_REQUEST_AT_MOST", 1)  # 2 missing count as many here
    monkeypatch.setattr(letters, "render_remittance_statements", _never)
    error = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 409).json()["error"]
    assert (error["code"], error["field"]) == ("statements_pending", "batch_id")
    assert error["details"] == [{"batch_id": batch_id, "stored": 0, "expected": 2}]
    fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files/1.pdf", 409)
    screen = _screen_login(fin, "fin-web-1")
    r = screen.get(f"/finance/batches/{batch_id}/statements.zip", follow_redirects=False)
    assert r.status_code in (302, 303) and _stored(fin, batch_id) == []
    page = screen.get(f"/finance/batches/{batch_id}")
    assert "作成中：0件 / 2件 作成済み" in page.text and "支払明細書を作成中です" in page.text


def test_a_small_batch_is_rendered_on_its_first_download_and_the_worker_then_skips_it(
        fin: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from service.workflows import letters
    from service.workflows.payments import statements

    batch_id = _exported(fin, monkeypatch)
    first = fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json()
    assert [s["number"] for s in first] == [1, 2]
    with _factory(fin)() as session:
        assert statements.pending_batches(session) == []
    monkeypatch.setattr(letters, "render_remittance_statements", _never)
    assert "statements_stored" not in letters.work_letters(_factory(fin))
    assert fin.get("finance", f"/api/v1/payment-batches/{batch_id}/statement-files", 200).json() == first


def test_letters_work_exits_1_when_a_statement_fails_and_says_so(fin: World, database_url: str,  # noqa: F811
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Cron runs ``letters work``: a batch whose statements cannot be rendered is a failure it must see
    (exit 1 and a line naming it), not only a count in the JSON."""
    import json

    from typer.testing import CliRunner

    from service.cli import app as cli
    from service.workflows import letters

    batch_id = _exported(fin, monkeypatch)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the statement cannot be laid out")

    monkeypatch.setattr(letters, "render_remittance_statements", broken)
    result = CliRunner().invoke(cli, ["letters", "work", "--db", database_url])
    assert result.exit_code == 1, result.output
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert (counts["failed"], counts["statements_stored"], counts["statements_failed"]) == (0, 0, 1)
    assert "支払バッチ 1 件の支払明細書を作成できませんでした" in result.stderr
    assert _progress(fin, batch_id)["failure"]["message"] == "the statement cannot be laid out"
