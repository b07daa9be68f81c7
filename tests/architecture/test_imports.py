"""Dependency direction (architecture.md §4.2): calculations ← payments ← letters ← service."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)
SHELL_ONLY = {"service", "sqlalchemy", "fastapi", "pydantic", "pydantic_settings", "starlette", "alembic",
              "psycopg", "uvicorn", "typer"}
ALLOWED = {
    "calculations": {"calculations"},
    "payments": {"calculations", "payments", "jaconv", "jpholiday", "zengin_code", "stdnum"},
    "letters": {"calculations", "payments", "letters"},
}
ONLY_IN = {"pandas": {"payments/reports.py"}, "openpyxl": {"payments/reports.py"},
           "fpdf": {"letters/pdf.py", "letters/fontcache.py"},
           "fontTools": {"letters/pdf.py", "letters/fontcache.py"},
           "pylopdf_fonts_jp": {"letters/fontcache.py"}}


def imported_roots(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_pure_packages_import_only_what_they_may(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for line, root in imported_roots(path):
            if root in STDLIB or root in ALLOWED[package]:
                continue
            if relative in ONLY_IN.get(root, set()):
                continue
            bad.append(f"{relative}:{line} imports {root}")
    assert bad == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_nothing_pure_imports_the_shell(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        assert not {root for _, root in imported_roots(path)} & SHELL_ONLY, path


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import sqlalchemy\nfrom service.db import models\nfrom calculations import rent\n")
    assert [root for _, root in imported_roots(sample)] == ["sqlalchemy", "service", "calculations"]


def test_no_float_in_money_packages() -> None:
    for package in ("calculations", "payments"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "float(" not in text and ": float" not in text and "-> float" not in text, path
