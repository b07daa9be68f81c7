"""The ``housing-benefit`` command: assess, serve, demo, bench and rate-table checks."""

from __future__ import annotations

import json
import sys
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
    typer.echo(json.dumps({"version": book.version, "deciding_municipalities": len(book.deciding_sizes),
                           "municipalities": len(book.municipalities)}))


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
    from service.demo import run_demo

    summary = run_demo(out, db or get_settings().database_url)
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
