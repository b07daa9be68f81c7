"""Fuzzing the intake and decision API: one change anywhere in a valid application never produces a 500
(a 4xx with a JSON error naming the field, or a normal answer), through create, submit and draft."""

from __future__ import annotations

import copy
from typing import Any

from fuzzing import JSON_VALUES, mutate, paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_world import INTAKE, MOVING_CONSENTS, MOVING_FACTS, PDF, RENT_CONSENTS, RENT_FACTS, World

BASES = [
    {"kind": "initial", "facts": RENT_FACTS, "intake": {**INTAKE, "consents": RENT_CONSENTS}},
    {"kind": "initial", "facts": MOVING_FACTS, "intake": {**INTAKE, "consents": MOVING_CONSENTS}},
]


def _check(response: Any) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code >= 400:
        assert set(body["error"]) >= {"code", "message", "field"}, body
    return dict(body) if isinstance(body, dict) else {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(base=st.sampled_from(BASES), data=st.data(), action=st.sampled_from(["replace", "delete", "add"]),
       value=JSON_VALUES)
def test_one_change_anywhere_in_an_application_never_gives_a_500(world: World, base: dict[str, Any],
                                                                 data: st.DataObject, action: str,
                                                                 value: Any) -> None:
    body = mutate(copy.deepcopy(base), data.draw(st.sampled_from(paths(base))), action, value)
    app = _check(world.post("agency", "/api/v1/applications", json=body))
    if "id" not in app:
        return
    from service.workflows.applications import required_documents

    try:
        kinds = required_documents("initial", app["benefit"], app["facts"])
    except Exception as error:  # noqa: BLE001 - the checklist must cope with whatever was accepted
        raise AssertionError(f"the R85 checklist failed on accepted facts: {error!r}") from error
    for kind in kinds:
        _check(world.post("agency", f"/api/v1/cases/{app['case_id']}/documents",
                          data={"kind": kind, "application_id": str(app["id"])},
                          files={"file": (f"{kind}.pdf", PDF, "application/pdf")}))
    submitted = _check(world.post("agency", f"/api/v1/applications/{app['id']}/submit"))
    if submitted.get("status") != "submitted":
        return
    kind = "grant" if app["benefit"] == "rent" else "moving_grant"
    for draft in ({"kind": kind, "application_id": app["id"]}, {"kind": "refusal", "application_id": app["id"]}):
        _check(world.post("clerk", f"/api/v1/cases/{app['case_id']}/decisions", json=draft))
    _check(world.get("clerk", f"/api/v1/cases/{app['case_id']}"))


KINDS = ["eligibility_certificate", "grant", "regrant", "refusal", "extension", "extension_refusal", "change",
         "interruption", "resumption", "stop", "repayment", "moving_grant", "moving_confirmation"]
MONTHS = st.sampled_from(["2025-04", "2025-05", "2025-06", "2025-08", "2025-12", "2027-07", "2025-13", "0000-00"])
DATES = st.sampled_from(["2025-05-20", "2025-02-30", "2025-06-31", "9999-12-31", "0001-01-01", "2025-05-12"])
CAUSES = st.sampled_from(["job_search_failure", "income_over_limit", "death", "false_application", "nonsense", ""])


def _draft_bodies(ids: dict[str, int]) -> st.SearchStrategy[dict[str, Any]]:
    ints = st.one_of(st.sampled_from(list(ids.values())), st.integers(min_value=-2, max_value=10**6))
    fields = {
        "case_version": ints, "application_id": ints, "grant_id": ints, "supersedes_decision_id": ints,
        "effective_month": MONTHS, "resume_month": MONTHS, "cause": CAUSES, "event_date": DATES,
        "evidence": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["interview_records", "x", ""])},
                                                   optional={"document_id": ints, "note": st.text(max_size=5)}),
                             max_size=3),
        "proposal_id": ints, "repayment_cause": st.sampled_from(["recipient_error", "fraud", "administrative_error"]),
        "facts_update": st.fixed_dictionaries({}, optional={"lease_initial_costs_paid_on": DATES, "moved_in_on": DATES,
                                                            "rent_yen": st.integers(0, 10**7)}),
        "actual_costs": st.lists(st.fixed_dictionaries({"category": st.sampled_from(["key_money", "removal", "x"]),
                                                        "amount_yen": st.integers(0, 10**7)}), max_size=3),
        "note": st.text(max_size=10),
    }
    return st.fixed_dictionaries({"kind": st.sampled_from(KINDS)}, optional=fields)


def test_any_decision_draft_on_a_running_case_never_gives_a_500(world: World) -> None:
    """Every decision kind with any mix of fields, on a case with a running, partly paid grant."""
    case_id, grant_id = world.granted_case()
    world.pay(grant_id, "2025-05")
    app_id = world.get("clerk", f"/api/v1/cases/{case_id}", 200).json()["applications"][0]["id"]
    ids = {"case": case_id, "grant": grant_id, "app": app_id}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=_draft_bodies(ids))
    def draft(body: dict[str, Any]) -> None:
        created = _check(world.post("clerk", f"/api/v1/cases/{case_id}/decisions", json=body))
        if "id" in created:  # never leave a draft standing in the way of the next example
            _check(world.post("approver", f"/api/v1/decisions/{created['id']}/return"))

    draft()
