"""End-to-end fixtures: the app under uvicorn on a random local port (temp SQLite, users seeded through
the workflows) and Debian's Chromium driven by Playwright through ``executable_path``.

Skipped with the reason when Playwright or Chromium is missing — unless ``HB_REQUIRE_BROWSER=1`` (CI),
where that fails."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "web"))

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]


def _missing(reason: str) -> None:
    if os.environ.get("HB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"HB_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    for name in (os.environ.get("HB_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name:
            found = shutil.which(name) or (name if Path(name).is_file() else None)
            if found:
                return found
    return None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn
    from web_world import seed_users

    from service.app import create_app
    from service.letter_worker import start_for_app

    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    app = create_app(f"sqlite:///{db}")
    seed_users(app.state.session_factory)
    worker = start_for_app(app, poll_seconds=0.5)  # as `serve` does: letters are rendered after the approval
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "app": app}
    server.should_exit = True
    thread.join(timeout=10)
    worker.stop()
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright==1.65.2)")
    executable = chromium_path()
    if executable is None:
        _missing("no Chromium executable (apt-get install -y --no-install-recommends chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, live_server: dict[str, Any]) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900, scale: float = 1) -> Any:
        ctx = chromium.new_context(base_url=live_server["url"], locale="ja-JP", accept_downloads=True,
                                   viewport={"width": width, "height": height}, device_scale_factor=scale)
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def screens() -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS
