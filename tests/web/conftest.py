"""Screen fixtures: an app on each database, users of every role with passwords, one browser each."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fastapi.testclient import TestClient  # noqa: E402
from web_world import Browser, seed_users  # noqa: E402

from service.app import create_app  # noqa: E402


@pytest.fixture
def web_app(database_url: str) -> Iterator[Any]:
    app = create_app(database_url)
    app.state.user_ids = seed_users(app.state.session_factory)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def browser(web_app: Any) -> Iterator[Any]:
    """A factory of logged-in browsers: ``browser("clerk")``."""
    clients: list[TestClient] = []

    def make(username: str | None = None) -> Browser:
        client = TestClient(web_app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        b = Browser(client)
        if username is not None:
            r = b.login(username)
            assert r.status_code == 303, r.text
        return b

    yield make
    for client in clients:
        client.__exit__(None, None, None)
