"""Fixtures for the letters tests (sample data lives in letter_samples.py)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path

import pytest

from letters import LetterContent


def _load_samples() -> None:
    """Make ``import letter_samples`` work for the test modules (pytest may use importlib mode)."""
    if "letter_samples" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location("letter_samples", Path(__file__).with_name("letter_samples.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["letter_samples"] = module
    spec.loader.exec_module(module)


_load_samples()

from letter_samples import PINNED_CREATED_AT, build_all_letters  # noqa: E402


@pytest.fixture(scope="session")
def all_letters() -> dict[str, LetterContent]:
    return build_all_letters()


@pytest.fixture(scope="session")
def pinned_created_at() -> datetime:
    return PINNED_CREATED_AT
