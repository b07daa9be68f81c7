"""A letter's input as a typed JSON snapshot, and the letter built back from it (issue 13, the outbox).

The service stores the snapshot in the approval transaction and renders the letter after commit, as
often as needed: :func:`build_from_snapshot` turns the same snapshot into the same
:class:`~letters.model.LetterContent` every time, so the PDF is byte-identical (its creation date is
part of the snapshot's record, not of the clock).

``{"input_type": "DecisionLetterInput", "input": {...}}``: dates as ISO strings, enums by value,
nested inputs as objects, tuples as arrays. Unknown types or fields are a :class:`SnapshotError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from letters import content as content_module
from letters.model import LetterContent, LetterInputError


class SnapshotError(LetterInputError):
    """A snapshot that does not describe a letter input of this version (a bug or a damaged row)."""


_BUILDERS: dict[type, Callable[[Any], LetterContent]] = {
    content_module.EligibilityCertificateInput: content_module.build_eligibility_certificate,
    content_module.DecisionLetterInput: content_module.build_decision_letter,
    content_module.RefusalLetterInput: content_module.build_refusal_letter,
    content_module.ExtensionDecisionInput: content_module.build_extension_decision_letter,
    content_module.ExtensionRefusalInput: content_module.build_extension_refusal_letter,
    content_module.ChangeDecisionInput: content_module.build_change_decision_letter,
    content_module.StopNoticeInput: content_module.build_stop_notice,
    content_module.InterruptionNoticeInput: content_module.build_interruption_notice,
    content_module.ResumptionNoticeInput: content_module.build_resumption_notice,
    content_module.RepaymentDemandInput: content_module.build_repayment_demand,
    content_module.RepaymentWithdrawalInput: content_module.build_repayment_withdrawal,
    content_module.MovingDecisionInput: content_module.build_moving_decision_letter,
    content_module.MovingConfirmationInput: content_module.build_moving_confirmation_letter,
    content_module.ProxyPaymentNoticeInput: content_module.build_proxy_payment_notice,
    content_module.CouncilNoticeInput: content_module.build_council_notice,
    content_module.RemittanceStatementInput: content_module.build_remittance_statement,
}
_BY_NAME = {kind.__name__: kind for kind in _BUILDERS}


def build_letter(data: Any) -> LetterContent:
    """The letter of any input dataclass (dispatch on its type)."""
    builder = _BUILDERS.get(type(data))
    if builder is None:
        raise SnapshotError(f"no letter is built from {type(data).__name__}")
    return builder(data)


def to_snapshot(data: Any) -> dict[str, Any]:
    """The input as JSON-ready data with its type name."""
    if type(data) not in _BUILDERS:
        raise SnapshotError(f"no letter is built from {type(data).__name__}")
    return {"input_type": type(data).__name__, "input": _to_json(data)}


def from_snapshot(snapshot: Mapping[str, Any]) -> Any:
    """The input dataclass back from :func:`to_snapshot`'s data."""
    kind = _BY_NAME.get(str(snapshot.get("input_type")))
    if kind is None:
        raise SnapshotError(f"unknown letter input type {snapshot.get('input_type')!r}")
    return _from_json(kind, snapshot.get("input"), "input")


def build_from_snapshot(snapshot: Mapping[str, Any]) -> LetterContent:
    return build_letter(from_snapshot(snapshot))


@cache
def template_version() -> str:
    """A hash of the wording and layout: every module and table of the letters package, the
    ``letters.content`` family modules included (issue 13: computed, not a constant to remember to bump).
    Printed nowhere; stored with each letter."""
    return wording_hash(Path(__file__).resolve().parent)


def wording_hash(package_dir: Path) -> str:
    """``letters-<16 hex>`` over every ``.py``/``.csv`` file under ``package_dir`` (sub-packages too), by
    relative path, so that a change in any wording module, table or the layout changes the version."""
    digest = hashlib.sha256()
    files = sorted(
        path for path in package_dir.rglob("*")
        if path.is_file() and path.suffix in (".py", ".csv") and "__pycache__" not in path.parts
    )
    for path in files:
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return f"letters-{digest.hexdigest()[:16]}"


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    raise SnapshotError(f"cannot store a {type(value).__name__} in a letter snapshot")


@cache
def _hints(kind: type) -> dict[str, Any]:
    """Field types of ``kind``, each resolved in the module that declares it (the family module, or
    ``letters.content.base`` for the common fields)."""
    return get_type_hints(kind)


def _from_json(tp: Any, data: Any, where: str) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(tp) if option is not type(None)]
        if data is None:
            return None
        return _from_json(options[0], data, where)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, Mapping):
            raise SnapshotError(f"{where}: expected an object for {tp.__name__}")
        hints = _hints(tp)
        known = {field.name for field in dataclasses.fields(tp)}
        unknown = set(data) - known
        if unknown:
            raise SnapshotError(f"{where}: unknown fields {sorted(unknown)} for {tp.__name__}")
        return tp(**{name: _from_json(hints[name], value, f"{where}.{name}") for name, value in data.items()})
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if tp is date:
        return date.fromisoformat(str(data))
    if origin is tuple:
        args = get_args(tp)
        item = args[0] if len(args) == 2 and args[1] is Ellipsis else Any
        return tuple(_from_json(item, value, f"{where}[]") for value in data or ())
    if origin in (Mapping, dict, typing.Mapping) or tp is Mapping:
        args = get_args(tp)
        value_type = args[1] if len(args) == 2 else Any
        return {str(key): _from_json(value_type, value, where) for key, value in (data or {}).items()}
    if origin in (Sequence, list) or tp is Sequence:
        args = get_args(tp)
        item = args[0] if args else Any
        return tuple(_from_json(item, value, f"{where}[]") for value in data or ())
    if origin is Literal or tp in (str, int, bool, object, Any):
        return data
    return data
