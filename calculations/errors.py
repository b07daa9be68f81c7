"""Exceptions of the rules engine. "Not eligible" is a result, never an exception."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input that cannot be assessed (contracts.md §1: exit 2 / HTTP 422).

    ``field`` is the contract path of the offending input, e.g. ``trigger.date`` or
    ``household[0].incomes[1].amount_yen``.
    """

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "field": self.field}


class RateTableError(ValueError):
    """A shipped rate table is malformed (gap, overlap, blank cell...). Stops everything loudly."""

    def __init__(self, table: str, message: str) -> None:
        super().__init__(f"{table}: {message}")
        self.table = table


class RateNotFound(LookupError):
    """No row of ``table`` is in force for ``key`` on ``as_of``."""

    def __init__(self, table: str, key: object, as_of: object) -> None:
        super().__init__(f"{table}: nothing in force for {key!r} on {as_of}")
        self.table = table
        self.key = key
        self.as_of = as_of
