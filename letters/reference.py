"""Reference data for letter wording, loaded from CSV files beside this module.

* ``legal_basis.csv``: rule number (rules.md R-numbers, decisions.md PD-numbers) → the legal basis printed
  in letters (e.g. R32 → 生活困窮者自立支援法施行規則第11条第1項第1号) and, for requirements, the requirement
  in plain Japanese (used by 不支給 letters). Article numbers after the 2025 amendment are partly
  unverified (rules.md R6, D9); correct them here, not in code.
* ``step_labels.csv``: calculation-trace step name → Japanese label for the 算定内訳 table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """One rule's legal basis (根拠) and requirement wording (要件)."""

    rule: str
    basis: str
    requirement: str


def _rows(file_name: str) -> list[dict[str, str]]:
    text = resources.files("letters").joinpath(file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def legal_bases() -> dict[str, LegalBasis]:
    """Rule number → :class:`LegalBasis` (duplicate rule numbers are an error)."""
    result: dict[str, LegalBasis] = {}
    for row in _rows("legal_basis.csv"):
        rule = row["rule"].strip()
        if rule in result:
            raise ValueError(f"legal_basis.csv lists {rule} twice")
        result[rule] = LegalBasis(rule, row["basis"].strip(), row["requirement"].strip())
    return result


def legal_basis(rule: str) -> str:
    """The legal basis of ``rule``, or ``''`` when none is recorded."""
    entry = legal_bases().get(rule)
    return entry.basis if entry else ""


def requirement_text(rule: str) -> str:
    """The plain-Japanese requirement of ``rule``, or ``''`` when none is recorded."""
    entry = legal_bases().get(rule)
    return entry.requirement if entry else ""


@cache
def step_labels() -> dict[str, str]:
    """Trace step name → Japanese label."""
    result: dict[str, str] = {}
    for row in _rows("step_labels.csv"):
        step = row["step"].strip()
        if step in result:
            raise ValueError(f"step_labels.csv lists {step} twice")
        result[step] = row["label"].strip()
    return result
