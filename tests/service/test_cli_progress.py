"""Long work run from the command line shows its progress on standard error (issue 14 item 8): the
payment run, the letters worker and the print run say what they do and what they did (counts of what
was done and what failed), while standard output keeps the machine-readable JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from service_world import World
from typer.testing import CliRunner

from service.cli import Progress
from service.cli import app as cli
from service.config import Settings


@pytest.fixture
def service_settings() -> Settings:
    """Letters are planned on approval here (the worker renders them)."""
    return Settings(issue_letters_on_approval=True)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_the_payment_run_reports_progress_and_its_counts(world: World, database_url: str) -> None:
    from service.clock import SYSTEM_CLOCK
    from service.workflows.payments import latest_payable_month

    world.granted_case()
    month = latest_payable_month(SYSTEM_CLOCK.today())
    refused = run("payments", "run", "--month", month, "--user", "clerk", "--db", database_url)
    assert refused.exit_code == 2 and "clerk" in refused.stderr and not refused.stdout
    result = run("payments", "run", "--month", month, "--user", "finance", "--db", database_url)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["batch_id"] is not None and report["payment_count"] >= 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"支払処理: {month} 分の支払対象を読み込み、支払バッチを作成しています"
    assert lines[1].startswith(f"支払処理: 支払バッチ #{report['batch_id']}：支払 {report['payment_count']:,} 件")
    assert f"{report['total_yen']:,} 円" in lines[1]
    again = run("payments", "run", "--month", month, "--user", "finance", "--db", database_url)
    assert "新たに支払うものはありません" in again.stderr  # idempotent: nothing paid twice


def test_letters_work_and_the_print_run_report_progress(world: World, database_url: str, tmp_path: Path) -> None:
    from service.clock import SYSTEM_CLOCK

    world.granted_case()
    work = run("letters", "work", "--db", database_url)
    assert work.exit_code == 0, work.output
    assert json.loads(work.stdout.strip().splitlines()[-1]) == {"issued": 3, "failed": 0, "skipped": 0}
    assert "通知書の作成: 完了（作成 3 通・失敗 0 通・他で作成済み 0 通）" in work.stderr
    out = tmp_path / "print.pdf"
    day = SYSTEM_CLOCK.today().isoformat()
    printed = run("letters", "print-run", "--day", day, "--out", str(out), "--user", "clerk", "--db", database_url)
    assert printed.exit_code == 0, printed.output
    assert out.read_bytes().startswith(b"%PDF")
    assert f"印刷用PDF: {day} に発行した通知書 3 通を組版しています" in printed.stderr
    assert json.loads(printed.stdout.strip().splitlines()[-1])["letters"] == 3
    nothing = run("letters", "print-run", "--day", "2020-01-06", "--out", str(tmp_path / "none.pdf"), "--user", "clerk",
                  "--db", database_url)
    assert nothing.exit_code == 2 and not (tmp_path / "none.pdf").exists()


def test_progress_lines_are_few_and_end_on_the_total(capsys: Any) -> None:
    progress = Progress("支払処理", 100_000)
    for _ in range(100):
        progress.step(1_000)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 20
    assert lines[0] == "支払処理: 5,000 / 100,000 件"
    assert lines[-1] == "支払処理: 100,000 / 100,000 件"
    open_ended = Progress("通知書の作成")
    for _ in range(25):
        open_ended.step()
    assert capsys.readouterr().err.strip().splitlines() == ["通知書の作成: 10 件", "通知書の作成: 20 件"]
