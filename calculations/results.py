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


@dataclass(frozen=True, slots=True)
class Step:
    """A named intermediate value (what a 算定内訳 prints)."""

    step: str
    value: Any
    rule: str
    extra: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "value": self.value, "rule": self.rule, **dict(self.extra)}


@dataclass(slots=True)
class Trace:
    """Collects steps in order while a rule runs."""

    steps: list[Step] = field(default_factory=list)

    def add(self, step: str, value: Any, rule: str, **extra: Any) -> Any:
        self.steps.append(Step(step, value, rule, tuple(extra.items())))
        return value
