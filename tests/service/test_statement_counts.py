"""How many SQL statements one step of a grant's life costs, pinned with some headroom (issue 11: the
lifecycle figure). A statement is a round trip to the database under a lock or in a queue; a change that
adds one to every approval shows here, not months later as a slower benchmark. Counts, never timings.

Letters are on (issue 13: the approval plans them), as in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from service_world import World
from sqlalchemy import event, select

from service.config import Settings
from service.db.models_letters import LetterPlan
from service.db.session import unit_of_work
from service.workflows.common import Actor
from service.workflows.decisions import approve_decision, draft_decision

#: Measured when pinned, with two of headroom. PostgreSQL sends a flush's rows of one table as one
#: INSERT; SQLite one INSERT a row (the three letters, the two audit entries). The audit entry is counted.
DRAFT_MAX = {"postgresql": 8 + 2, "sqlite": 8 + 2}
APPROVAL_MAX = {"postgresql": 11 + 2, "sqlite": 14 + 2}
#: The request: its token, the approval, and the answer (the decision and its letters' status).
APPROVAL_REQUEST_MAX = {"postgresql": 15 + 2, "sqlite": 18 + 2}


@pytest.fixture
def service_settings() -> Settings:
    return Settings(issue_letters_on_approval=True)


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    """Every statement the app's engine sends while the block runs."""
    engine = world.client.app.state.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split())[:100])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _dialect(world: World) -> str:
    return str(world.client.app.state.engine.dialect.name)  # type: ignore[attr-defined]


def _steady(world: World) -> dict[str, Any]:
    """A submitted application of an office that has approved before (the 文書番号 series of the 年度
    exists: its first letter creates it once a year), on the office day 2025-05-12."""
    world.at("2025-05-12")
    world.granted_case()
    return world.apply()


def _actor(world: World, who: str) -> Actor:
    app = world.client.app  # type: ignore[attr-defined]
    return Actor(user_id=world.users[who], username=who, role="clerk" if who.startswith("clerk") else who,
                 clock=app.state.office_clock)


def test_drafting_and_approving_a_first_grant_take_a_pinned_number_of_statements(world: World) -> None:
    app = _steady(world)
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    with statements(world) as drafting, unit_of_work(factory) as session:
        decision_id = draft_decision(session, _actor(world, "clerk"), app["case_id"],
                                     {"kind": "grant", "application_id": app["id"]}).id
    with statements(world) as approving, unit_of_work(factory) as session:
        approve_decision(session, _actor(world, "approver"), decision_id, issue_letters=True)
    assert 1 <= len(drafting) <= DRAFT_MAX[_dialect(world)], "\n".join(drafting)
    assert 1 <= len(approving) <= APPROVAL_MAX[_dialect(world)], "\n".join(approving)
    with unit_of_work(factory) as session:  # the count holds with the letters planned, not by skipping them
        planned = session.scalars(select(LetterPlan.letter_type).where(LetterPlan.decision_id == decision_id))
        assert sorted(planned) == ["decision", "eligibility_certificate", "proxy_payment_notice"]
    clock = world.clock(int(world.get("clerk", f"/api/v1/cases/{app['case_id']}", 200).json()["grants"][0]["grant_id"]))
    assert [m["month"] for m in clock["months"]] == ["2025-05", "2025-06", "2025-07"]


def test_the_approval_request_with_its_token_and_answer_takes_a_pinned_number_of_statements(world: World) -> None:
    app = _steady(world)
    draft = world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", 201,
                       json={"kind": "grant", "application_id": app["id"]}).json()
    with statements(world) as approving:
        answer = world.post("approver", f"/api/v1/decisions/{draft['id']}/approve", 200).json()
    assert answer["status"] == "approved" and len(answer["letters"]) == 3
    assert {letter["status"] for letter in answer["letters"]} == {"pending"}
    assert 1 <= len(approving) <= APPROVAL_REQUEST_MAX[_dialect(world)], "\n".join(approving)


#: The lifecycle bench's case over HTTP (issue 11), request by request, token look-up and audit entry
#: included; measured when pinned, with one of headroom. SQLite sends one INSERT a row (the five
#: documents, their audit entries, the letters).
CASE_REQUEST_MAX = {
    "postgresql": {"create": 4 + 1, "documents": 5 + 1, "submit": 6 + 1, "draft": 9 + 1, "approve": 15 + 1},
    "sqlite": {"create": 4 + 1, "documents": 13 + 1, "submit": 6 + 1, "draft": 9 + 1, "approve": 18 + 1},
}


def test_the_benchmarked_case_takes_a_pinned_number_of_statements_a_request(world: World) -> None:
    """Create, the five documents in one form, submit, draft, approve (letters planned), as the bench sends
    them. The answers of a new application and a new draft are built without reading back what cannot
    exist yet (the application's documents, the draft's review)."""
    from service_world import PDF

    from service.bench_lifecycle import _case_body

    _steady(world)
    body, kinds = _case_body(7)
    seen: dict[str, list[str]] = {}

    def send(name: str, who: str, url: str, expect: int, **kwargs: Any) -> Any:
        with statements(world) as sent:
            r = world.client.post(url, headers=world.h(who), **kwargs)
        assert r.status_code == expect, r.text
        seen[name] = sent
        return r.json()

    with statements(world) as sent:
        r = world.client.post("/api/v1/applications", content=body,
                              headers={**world.h("agency"), "content-type": "application/json"})
    assert r.status_code == 201, r.text
    app, seen["create"] = r.json(), sent
    stored = send("documents", "agency", f"/api/v1/cases/{app['case_id']}/documents", 201,
                  data={"kinds": list(kinds), "application_id": str(app["id"])},
                  files=[("files", (f"{kind}.pdf", PDF, "application/pdf")) for kind in kinds])
    assert len(stored["documents"]) == len(kinds) == 5
    assert send("submit", "agency", f"/api/v1/applications/{app['id']}/submit", 200)["status"] == "submitted"
    draft = send("draft", "clerk", f"/api/v1/cases/{app['case_id']}/decisions", 201,
                 json={"kind": "grant", "application_id": app["id"]})
    assert draft["status"] == "draft" and draft["reviewed_by"] is None
    approved = send("approve", "approver", f"/api/v1/decisions/{draft['id']}/approve", 200)
    assert approved["status"] == "approved" and len(approved["letters"]) == 3
    pins = CASE_REQUEST_MAX[_dialect(world)]
    for name, sent in seen.items():
        assert 1 <= len(sent) <= pins[name], f"{name}: {len(sent)}\n" + "\n".join(sent)
    assert not any(s.startswith("SELECT document.") for s in seen["create"]), seen["create"]
    after_insert = seen["draft"][next(i for i, s in enumerate(seen["draft"]) if s.startswith("INSERT INTO decision")):]
    assert not any(s.startswith("SELECT decision_review.") for s in after_insert), seen["draft"]
