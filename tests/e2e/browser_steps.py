"""Steps every browser test takes in Chromium: log in, fill a form by field name, take a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web_world import PASSWORD


def login(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def fill_form(page: Any, values: dict[str, str]) -> None:
    """Each field by its name, as a person would set it: a select's option, a radio's value, a ticked box."""
    for name, value in values.items():
        loc = page.locator(f'[name="{name}"]')
        kind = loc.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            loc.select_option(value)
        elif kind.endswith(":radio"):
            page.check(f'[name="{name}"][value="{value}"]')
        elif kind.endswith(":checkbox"):
            page.check(f'[name="{name}"]')
        else:
            loc.fill(value)


def shot(page: Any, screens: Path, name: str) -> None:
    page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
