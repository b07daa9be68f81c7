"""Results of an assessment: reasons for every unmet requirement and a trace of named values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reason:
    """An unmet requirement, cited by its rules.md number."""

    rule: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "code": self.code, "message": self.message}


TraceStep = dict[str, Any]


@dataclass(slots=True)
class Trace:
    """Collects steps in order while a rule runs, as ``{"step", "value", "rule", ...}`` dicts
    (the contract's shape, so nothing is converted on the way out)."""

    steps: list[TraceStep] = field(default_factory=list)

    def add(self, step: str, value: Any, rule: str, **extra: Any) -> Any:
        self.steps.append({"step": step, "value": value, "rule": rule, **extra} if extra
                          else {"step": step, "value": value, "rule": rule})
        return value
