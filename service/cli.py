"""The ``housing-benefit`` command: assess, serve, demo, bench and rate-table checks."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

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
    """Render the pending letters once (for cron); prints {"issued", "failed", "skipped"}. Exit 1 when a
    letter failed (it shows in the work queue; the others were issued)."""
    from service.config import get_settings
    from service.db.migrate import upgrade
    from service.db.session import make_engine, make_session_factory
    from service.workflows.letters import work_letters

    url = db or get_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        counts = work_letters(make_session_factory(engine), limit=limit)
    finally:
        engine.dispose()
    typer.echo(json.dumps(counts))
    if counts["failed"]:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
