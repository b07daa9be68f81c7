"""The ``housing-benefit`` command: assess, serve, demo, bench and rate-table checks."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from service.workflows.common import Actor

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="住居確保給付金 (Housing Security Benefit) administration")


@app.command()
def assess(source: Annotated[str, typer.Argument(help="JSON file, or - for standard input")] = "-") -> None:
    """Assess one case (contracts.md §1). Exit 0 when assessed (eligible or not), 2 for bad input."""
    from service.api.assessments import assess_json

    try:
        body = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        typer.echo(json.dumps({"error": {"code": "unreadable_input", "message": str(error), "field": "input"}}))
        raise typer.Exit(2) from None
    status, content = assess_json(body)
    typer.echo(json.dumps(content, ensure_ascii=False))
    if status != 200:
        raise typer.Exit(2)


class Progress:
    """Progress of long work on standard error, one line at a time (``支払処理: 12,000 / 100,000 件``):
    at most ``lines`` lines plus the last, so a log stays readable and the person at the terminal sees
    the work move. Standard output keeps the machine-readable result."""

    def __init__(self, label: str, total: int | None = None, *, lines: int = 20) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.every = max(1, (total or 0) // lines) if total else 10

    def say(self, text: str) -> None:
        typer.echo(f"{self.label}: {text}", err=True)

    def step(self, count: int = 1) -> None:
        before = self.done
        self.done += count
        if self.done // self.every != before // self.every or self.done == self.total:
            self.say(f"{self.done:,} / {self.total:,} 件" if self.total is not None else f"{self.done:,} 件")


def _session_factory(db: str | None) -> tuple[Engine, sessionmaker[Session]]:
    """The migrated database's engine and session factory (``db`` or HB_DATABASE_URL)."""
    from service.config import get_settings
    from service.db.migrate import upgrade
    from service.db.session import make_engine, make_session_factory

    url = db or get_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    return engine, make_session_factory(engine)


def _acting_user(session: Session, username: str, *roles: str) -> Actor:
    """The named active user as the acting person (the office clock is the machine's, in JST); audit
    events of the command carry the user's name."""
    from sqlalchemy import select

    from service.clock import SYSTEM_CLOCK
    from service.db.models import AppUser
    from service.workflows.common import Actor as ActingUser

    user = session.scalar(select(AppUser).where(AppUser.username == username, AppUser.active.is_(True)))
    if user is None or user.role not in roles:
        typer.echo(json.dumps({"error": {"code": "forbidden", "field": "user",
                                         "message": f"{username!r} は有効な{'・'.join(roles)}の利用者ではありません"}},
                              ensure_ascii=False), err=True)
        raise typer.Exit(2)
    return ActingUser(user_id=user.id, username=user.username, role=user.role, agency_id=user.agency_id,
                 clock=SYSTEM_CLOCK)


def _refused(error: Exception) -> typer.Exit:
    from service.errors import DomainError

    assert isinstance(error, DomainError)
    typer.echo(json.dumps(error.to_dict(), ensure_ascii=False), err=True)
    return typer.Exit(2)


rates_app = typer.Typer(help="Rate tables (calculations/rates)")
app.add_typer(rates_app, name="rates")


@rates_app.command("check")
def rates_check() -> None:
    """Load and validate every shipped table; print the version."""
    from calculations.rate_book import load_rate_book

    book = load_rate_book()
    typer.echo(json.dumps({"version": book.version, "assessable_municipalities": len(book.municipalities),
                           "municipalities": len(book.municipalities),
                           "standard_amount_overrides": len(book.standard_overrides),
                           "rent_ceiling_overrides": len(book.ceiling_overrides)}))


def _rates_error(message: str, field: str) -> typer.Exit:
    typer.echo(json.dumps({"error": {"code": "invalid_value", "message": message, "field": field}},
                          ensure_ascii=False))
    return typer.Exit(2)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _rates_error(f"{text!r} は YYYY-MM-DD の日付ではありません", field) from None


@rates_app.command("explain")
def rates_explain(
    municipality: Annotated[str, typer.Option(help="全国地方公共団体コード (6 digits)")],
    size: Annotated[int, typer.Option(help="household size", min=1)],
    on: Annotated[str, typer.Option("--date", help="application date YYYY-MM-DD")],
) -> None:
    """Print B, C, the income limit and the asset limit and how each was found (R10–R13, PD25)."""
    from calculations.rate_book import load_rate_book
    from calculations.rate_report import explain

    book = load_rate_book()
    if not book.is_assessable(municipality):
        raise _rates_error(f"{municipality!r} は市区町村の一覧にありません", "municipality")
    try:
        report = explain(book, municipality, size, _day(on, "date"))
    except LookupError as missing:
        raise _rates_error(f"その日に有効な表がありません: {missing}", "date") from None
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2))


@rates_app.command("diff")
def rates_diff(
    first: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    second: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
) -> None:
    """List every value (B, C, asset limit for 1–10 persons in every municipality; parameters) that
    differs between two dates, one JSON object a line."""
    from calculations.rate_book import load_rate_book
    from calculations.rate_report import diff

    count = 0
    for change in diff(load_rate_book(), _day(first, "first"), _day(second, "second")):
        typer.echo(json.dumps(change.as_dict(), ensure_ascii=False))
        count += 1
    typer.echo(f"{count} values differ between {first} and {second}", err=True)


admin_app = typer.Typer(help="Users and API tokens (the first administrator; a token for an integrator)")
app.add_typer(admin_app, name="admin")


def _read_password(username: str) -> str:
    """From a prompt (hidden, asked twice) on a terminal, else the first line of standard input; never
    from the command line, where it would sit in the shell history and the process list."""
    from service.workflows.admin import check_password

    if sys.stdin.isatty():
        password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    check_password(password, username)
    return password


@admin_app.command("create")
def admin_create(
    username: Annotated[str, typer.Option(help="the new user's name")],
    role: Annotated[str, typer.Option(help="agency, clerk, approver, finance or admin")] = "admin",
    agency_id: Annotated[int | None, typer.Option(help="the agency of an agency user")] = None,
    days: Annotated[int, typer.Option(help="days the first API token lives")] = 90,
    db: Annotated[str | None, typer.Option(help="database URL (default: HB_DATABASE_URL)")] = None,
) -> None:
    """Create a user (the first administrator); the password is read from a prompt or standard input.

    Prints the user and its first API token (shown once) as JSON."""
    from datetime import timedelta

    from service.clock import SYSTEM_CLOCK
    from service.config import get_settings
    from service.db.migrate import upgrade
    from service.db.session import make_engine, make_session_factory, unit_of_work
    from service.errors import DomainError
    from service.workflows.admin import create_user

    url = db or get_settings().database_url
    try:
        password = _read_password(username)
        upgrade(url)
        engine = make_engine(url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                user, token = create_user(session, username, role, agency_id, password,
                                          token_expires_at=SYSTEM_CLOCK.now() + timedelta(days=days))
                out = {"id": user.id, "username": user.username, "role": user.role, "token": token,
                       "token_days": days}
        finally:
            engine.dispose()
    except DomainError as error:
        typer.echo(json.dumps(error.to_dict(), ensure_ascii=False), err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(out, ensure_ascii=False))


@app.command()
def bench(
    quick: Annotated[bool, typer.Option(help="smaller runs, for smoke tests")] = False,
    only: Annotated[str, typer.Option(help="comma-separated figure names")] = "",
) -> None:
    """Print benchmark figures as one JSON object (progress on standard error)."""
    from service.bench import run_benchmarks

    figures = run_benchmarks(quick=quick, only={name for name in only.split(",") if name})
    typer.echo(json.dumps(figures, ensure_ascii=False))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="directory for summary.json, zengin/, letters/, finance/")],
    db: Annotated[str | None, typer.Option(help="database URL (default: the embedded SQLite file)")] = None,
) -> None:
    """Run the demo scenario (contracts.md §2); run twice, it adds nothing and pays nothing twice."""
    from service.config import get_settings
    from service.demo import DemoRefused, run_demo

    try:
        summary = run_demo(out, db or get_settings().database_url)
    except DemoRefused as refused:
        typer.echo(f"housing-benefit demo: {refused}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(summary, ensure_ascii=False))


@app.command()
def serve(
    db: Annotated[str | None, typer.Option(help="database URL (default: the embedded SQLite file)")] = None,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Serve the API (/api/v1, OpenAPI at /openapi.json) and the screens (/)."""
    import uvicorn

    from service.app import create_app
    from service.config import get_settings
    from service.letter_worker import start_for_app

    application = create_app(db or get_settings().database_url)
    worker = start_for_app(application)  # issue 13: letters are rendered after the approval commits
    try:
        uvicorn.run(application, host=host, port=port)
    finally:
        worker.stop()


letters_app = typer.Typer(help="Letters (the outbox of approved decisions' letters)")
app.add_typer(letters_app, name="letters")


@letters_app.command("work")
def letters_work(
    db: Annotated[str | None, typer.Option(help="database URL (default: the embedded SQLite file)")] = None,
    limit: Annotated[int, typer.Option(help="at most this many letters in this pass")] = 500,
) -> None:
    """Render the pending letters and the 支払明細書 due since an export once (for cron); prints {"issued",
    "failed", "skipped"} (and the statements' counts when there were any). Exit 1 when a letter or a statement
    failed (a letter shows in the work queue, a statement on its batch; the others were issued)."""
    from service.workflows.letters import work_letters

    engine, factory = _session_factory(db)
    progress = Progress("通知書の作成")
    progress.say(f"未作成の通知書を最大 {limit:,} 通作成します")
    try:
        counts = work_letters(factory, limit=limit, after_render=lambda _plan: progress.step())
    finally:
        engine.dispose()
    statements_failed = counts.get("statements_failed", 0)
    progress.say(f"完了（作成 {counts['issued']:,} 通・失敗 {counts['failed']:,} 通・他で作成済み {counts['skipped']:,} 通）"
                 + ("。失敗した通知書は作業一覧に表示されます" if counts["failed"] else ""))
    if statements_failed:
        progress.say(f"支払バッチ {statements_failed:,} 件の支払明細書を作成できませんでした（その支払バッチの画面に表示されます）")
    typer.echo(json.dumps(counts))
    if counts["failed"] or statements_failed:  # cron sees either kind of failure
        raise typer.Exit(1)


@letters_app.command("print-run")
def letters_print_run(
    day: Annotated[str, typer.Option(help="the day the letters were issued, YYYY-MM-DD")],
    out: Annotated[Path, typer.Option(help="the PDF file to write")],
    user: Annotated[str, typer.Option(help="the clerk or approver printing (audited)")],
    db: Annotated[str | None, typer.Option(help="database URL (default: the embedded SQLite file)")] = None,
) -> None:
    """The day's letters as one PDF for the print room (cover list, then each letter from its archived
    snapshot); a letter that cannot be laid out again is named on the cover, the others are printed."""
    from service.db.session import unit_of_work
    from service.errors import DomainError
    from service.workflows import letters

    when = _day(day, "day")
    engine, factory = _session_factory(db)
    progress = Progress("印刷用PDF")
    try:
        with unit_of_work(factory) as session:
            actor = _acting_user(session, user, "clerk", "approver")
            count = len(letters.letters_issued_on(session, when))
            progress.say(f"{when.isoformat()} に発行した通知書 {count:,} 通を組版しています")
            pdf = letters.print_run(session, actor, when)
    except DomainError as error:
        raise _refused(error) from None
    finally:
        engine.dispose()
    out.write_bytes(pdf)
    progress.say(f"完了（{count:,} 通、{len(pdf):,} バイト）→ {out}")
    typer.echo(json.dumps({"day": when.isoformat(), "letters": count, "bytes": len(pdf), "file": str(out)}))


payments_app = typer.Typer(help="Payments (the monthly run; 決裁 and export stay with a second person on screen)")
app.add_typer(payments_app, name="payments")


@payments_app.command("run")
def payments_run(
    month: Annotated[str, typer.Option(help="the benefit month, YYYY-MM")],
    user: Annotated[str, typer.Option(help="the finance user preparing the batch (audited)")],
    db: Annotated[str | None, typer.Option(help="database URL (default: the embedded SQLite file)")] = None,
) -> None:
    """The monthly payment run: one draft batch of every payment due (its 決裁 and the 全銀 export stay
    with a second finance user). Prints the run as JSON; progress and what was left out on stderr."""
    import time

    from service.db.session import unit_of_work
    from service.errors import DomainError
    from service.workflows import payments

    engine, factory = _session_factory(db)
    progress = Progress("支払処理")
    started = time.monotonic()
    try:
        with unit_of_work(factory) as session:
            actor = _acting_user(session, user, "finance")
            progress.say(f"{month} 分の支払対象を読み込み、支払バッチを作成しています")
            report = payments.prepare_month(session, actor, month)
    except DomainError as error:
        raise _refused(error) from None
    finally:
        engine.dispose()
    seconds = time.monotonic() - started
    if report.batch_id is None:
        progress.say(f"新たに支払うものはありません（対象外 {len(report.excluded):,} 件、{seconds:.1f} 秒）")
    else:
        progress.say(f"支払バッチ #{report.batch_id}：支払 {report.payment_count:,} 件・振込 {report.transfer_count:,} 件・"
                     f"{report.total_yen:,} 円（支払日 {report.pay_date}）、対象外 {len(report.excluded):,} 件"
                     f"（{seconds:.1f} 秒）")
    for excluded in report.excluded[:20]:
        progress.say(f"対象外：ケース {excluded.get('case_id')}・{excluded.get('benefit_month')} 分")
    if len(report.excluded) > 20:
        progress.say(f"対象外は他に {len(report.excluded) - 20:,} 件（バッチ画面に全件を表示）")
    typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
