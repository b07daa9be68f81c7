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
