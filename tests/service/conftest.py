"""Service fixtures: an app on each database with users of every role."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

pytest.importorskip("calculations.contract", reason="the rules engine has not landed yet")

from fastapi.testclient import TestClient  # noqa: E402
from service_world import World  # noqa: E402

from service.app import create_app  # noqa: E402
from service.config import Settings  # noqa: E402
from service.db.session import unit_of_work  # noqa: E402
from service.workflows.admin import create_agency, create_user  # noqa: E402


@pytest.fixture
def service_settings() -> Settings:
    """Letters are not issued on approval here (rendering costs ~0.3 s a letter); the letters tests
    override this fixture to turn it on."""
    return Settings(issue_letters_on_approval=False)


@pytest.fixture
def world(database_url: str, service_settings: Settings) -> Iterator[World]:
    app = create_app(database_url, settings=service_settings)
    tokens: dict[str, str] = {}
    users: dict[str, int] = {}
    with unit_of_work(app.state.session_factory) as session:
        agency_a = create_agency(session, "A001", "千代田区自立相談支援センター")
        agency_b = create_agency(session, "B001", "新宿区くらしと仕事の相談センター")
        for name, role, agency in (
            ("admin", "admin", None), ("clerk", "clerk", None), ("clerk2", "clerk", None),
            ("approver", "approver", None), ("finance", "finance", None),
            ("agency", "agency", agency_a.id), ("agency_b", "agency", agency_b.id),
        ):
            user, token = create_user(session, name, role, agency_id=agency, password=None)
            tokens[name], users[name] = token, user.id
        agencies = {"A": agency_a.id, "B": agency_b.id}
    with TestClient(app) as client:
        yield World(client=client, tokens=tokens, users=users, agencies=agencies)
    app.state.engine.dispose()
