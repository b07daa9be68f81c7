"""The payments and letters workflows, when they are installed (they land in parallel with the screens).

The screens never hold their own copy of payment or letter logic: they call these modules' functions.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def payments() -> ModuleType | None:
    return _optional("service.workflows.payments")


def letters() -> ModuleType | None:
    return _optional("service.workflows.letters")
