"""What the database itself guarantees: append-only tables, migrations, one winner among two clerks."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from service_world import INTAKE, World, assert_append_only
from sqlalchemy import text

from service.calendar import office_date
from service.db.models import APPEND_ONLY_TABLES, utcnow
from service.db.session import make_engine


def test_append_only_tables_refuse_update_and_delete(world: World, database_url: str) -> None:
    case_id, grant_id = world.granted_case()
    doc = world.upload(case_id, "interview_records")
    world.post("agency", f"/api/v1/cases/{case_id}/monthly-reports", 201, json={
        "month": "2025-05", "interviews": 4, "hello_work_consultations": 2, "employer_applications": 5,
        "evidence_document_ids": [doc]})
    world.pay(grant_id, "2025-05")
    from calculations.stops import STOP_EVIDENCE, StopCause

    world.decide(case_id, {"kind": "stop", "grant_id": grant_id, "cause": "false_application",
                           "event_date": "2025-05-20",
                           "evidence": [{"kind": k, "note": "記録"} for k in STOP_EVIDENCE[StopCause.false_application]]})
    world.decide(case_id, {"kind": "repayment", "grant_id": grant_id, "repayment_cause": "fraud"})
    emergency = world.apply(intake={**INTAKE, "emergency": True, "plan": {}})
    world.decide(emergency["case_id"], {"kind": "grant", "application_id": emergency["id"]})
    world.post("agency", f"/api/v1/cases/{emergency['case_id']}/coordination-reports", 201,
               json={"meeting_date": office_date(utcnow()).isoformat()})
    engine = make_engine(database_url)
    try:
        assert_append_only(engine, APPEND_ONLY_TABLES)
    finally:
        engine.dispose()


def test_two_clerks_at_once_exactly_one_wins(world: World, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrency case runs on PostgreSQL")
    for _ in range(3):
        case_id, grant_id = world.granted_case()
        version = world.version(case_id)
        barrier = threading.Barrier(2)
        results: dict[str, tuple[int, dict]] = {}

        def act(clerk: str, month: str, case_id: int = case_id, grant_id: int = grant_id,
                version: int = version, barrier: threading.Barrier = barrier,
                results: dict[str, tuple[int, dict]] = results) -> None:
            client = TestClient(world.client.app)
            barrier.wait()
            r = client.post(f"/api/v1/cases/{case_id}/decisions", headers=world.h(clerk),
                            json={"kind": "interruption", "grant_id": grant_id, "effective_month": month,
                                  "case_version": version})
            results[clerk] = (r.status_code, r.json())

        threads = [threading.Thread(target=act, args=("clerk", "2025-06")),
                   threading.Thread(target=act, args=("clerk2", "2025-07"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [201, 409], results
        loser = next(body for status, body in results.values() if status == 409)
        assert loser["error"]["code"] == "concurrent_modification"
        assert "someone else" in loser["error"]["message"]
        drafts = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["decisions"]
        assert [d["kind"] for d in drafts] == ["grant", "interruption"]


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    """Alembic's own comparison: no table, column, index or default of the models is missing from (or
    different in) the migrated database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import service.db.models_letters  # noqa: F401 - registers the tables on Base.metadata
    import service.db.models_payments  # noqa: F401
    from service.db.models import Base

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


def test_the_schema_comes_from_alembic(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            from alembic.script import ScriptDirectory

            from service.db.migrate import alembic_config

            head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    finally:
        engine.dispose()


def test_two_creates_with_one_idempotency_key_at_once_give_one_application(world: World, database_url: str) -> None:
    """A client that retries before its first request has answered (R85 intake; PostgreSQL makes the
    second insert wait on the unique index): both get the same application, and there is one case."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrency case runs on PostgreSQL")
    from service_world import RENT_FACTS

    for attempt in range(3):
        barrier = threading.Barrier(2)
        results: list[tuple[int, dict]] = []

        def create(key: str = f"race-{attempt}", barrier: threading.Barrier = barrier,
                   results: list[tuple[int, dict]] = results) -> None:
            client = TestClient(world.client.app)
            barrier.wait()
            r = client.post("/api/v1/applications", headers={**world.h("agency"), "Idempotency-Key": key},
                            json={"facts": RENT_FACTS, "intake": INTAKE})
            results.append((r.status_code, r.json()))

        threads = [threading.Thread(target=create) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(status for status, _ in results) == [200, 201], results
        assert len({body["id"] for _, body in results}) == 1, results
    cases = world.get("agency", "/api/v1/cases", 200).json()
    assert len(cases) == 3


def test_ids_beyond_what_the_database_stores_are_a_4xx(world: World) -> None:
    """A hand-made URL with a 20-digit id: SQLite cannot bind it, PostgreSQL refuses it as out of range."""
    huge = "99999999999999999999"
    for who, url in (("clerk", f"/api/v1/cases/{huge}"), ("clerk", f"/api/v1/decisions/{huge}"),
                     ("finance", f"/api/v1/payees/{huge}"), ("admin", f"/api/v1/audit?case_id={huge}")):
        r = world.get(who, url)
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text)
        assert r.json()["error"]["code"] in ("out_of_range", "not_found", "invalid"), r.text


def test_a_database_that_cannot_be_reached_answers_503_and_json() -> None:
    """Nothing listens on port 1: the request fails cleanly (503, JSON), never a bare 500."""
    from service.app import create_app
    from service.config import Settings

    app = create_app("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2",
                     settings=Settings(migrate_on_start=False))
    try:
        with TestClient(app) as client:
            r = client.get("/api/v1/cases", headers={"Authorization": "Bearer whatever"})
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "database_unavailable"
    finally:
        app.state.engine.dispose()


def _every_append_only_table() -> tuple[str, ...]:
    from service.db.models_payments import PAYMENT_APPEND_ONLY_TABLES

    return (*APPEND_ONLY_TABLES, *PAYMENT_APPEND_ONLY_TABLES, "letter")


@pytest.mark.parametrize("table", _every_append_only_table())
def test_truncate_is_refused_on_every_append_only_table(database_url: str, table: str) -> None:
    """Issue 12: on PostgreSQL TRUNCATE is not a row UPDATE/DELETE; a statement trigger refuses it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no TRUNCATE")
    import sqlalchemy.exc

    engine = make_engine(database_url)
    try:
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only: TRUNCATE refused"), \
                engine.begin() as conn:
            conn.execute(text(f'TRUNCATE "{table}" CASCADE'))
    finally:
        engine.dispose()


def test_every_table_with_the_row_guard_has_the_truncate_guard(database_url: str) -> None:
    """A table a later migration makes append-only gets the TRUNCATE guard too (create_guards)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL triggers")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            names = {row[0] for row in conn.execute(text(
                "SELECT t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal"))}
    finally:
        engine.dispose()
    rows = {n.removesuffix("_append_only") for n in names if n.endswith("_append_only")}
    truncates = {n.removesuffix("_no_truncate") for n in names if n.endswith("_no_truncate")}
    assert rows and rows == truncates
    assert set(_every_append_only_table()) <= rows
