"""Letterhead settings per deciding municipality (``service/letterhead.toml``).

Who sends a letter (municipality, head's title and name, department, contact), the 文書番号 series, the
教示 wording, the 社会福祉協議会 that receives decision copies and how a 返還金 is paid. The numbers of a
series are handed out by ``service.workflows.letters``; here only their printed form is decided.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from letters import Letterhead
from letters.content import DEFAULT_APPEAL_NOTICE_TEMPLATE
from letters.wareki import to_wareki

_TEXT_KEYS = ("municipality_name", "head_title", "head_name", "department", "contact", "document_prefix",
              "council_name")


class UnknownMunicipality(LookupError):
    """No letterhead is configured for the municipality (add it to service/letterhead.toml)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MunicipalityLetterhead:
    """One municipality's settings; :meth:`letterhead` makes the letters' ``Letterhead`` per letter."""

    code: str
    municipality_name: str
    head_title: str
    head_name: str
    department: str
    contact: str
    document_prefix: str
    council_name: str
    seal_note: str
    seal_notes: dict[str, str]
    """Per letter kind (``letters.LetterType`` value) → the 公印 line, e.g. a 返還請求書 with its seal."""
    appeal_notice_template: tuple[str, ...]
    repayment_due_days: int
    repayment_payment_instructions: tuple[str, ...]
    version: str

    def document_number(self, fiscal_year: int, serial: int) -> str:
        """``7千代生第12号``: the 令和 year of the 年度, the series prefix and the serial."""
        era_year = fiscal_year - 2018  # 令和元年 = 2019
        year_text = str(era_year) if era_year >= 1 else str(fiscal_year)
        return f"{year_text}{self.document_prefix}第{serial}号"

    def letterhead(self, document_number: str, *, letter_kind: str = "") -> Letterhead:
        """The letters' letterhead for one letter; ``letter_kind`` picks its 公印 line (``seal_notes``)."""
        return Letterhead(
            municipality_name=self.municipality_name,
            head_title=self.head_title,
            head_name=self.head_name,
            department=self.department,
            contact=self.contact,
            document_number=document_number,
            seal_note=self.seal_notes.get(letter_kind, self.seal_note),
            appeal_notice_template=self.appeal_notice_template,
        )


def fiscal_year(day: date) -> int:
    """年度 (April–March) of ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_text(day: date) -> str:
    """``令和7年度`` for a day in April 2025 – March 2026."""
    return to_wareki(date(fiscal_year(day), 4, 1)).split("年")[0] + "年度"


def _entry(code: str, defaults: dict[str, Any], values: dict[str, Any], version: str) -> MunicipalityLetterhead:
    merged = {**defaults, **values}
    missing = [key for key in _TEXT_KEYS if not str(merged.get(key, "")).strip()]
    if missing:
        raise ValueError(f"letterhead.toml: municipality {code} lacks {', '.join(missing)}")
    appeal = tuple(merged.get("appeal_notice", DEFAULT_APPEAL_NOTICE_TEMPLATE))
    return MunicipalityLetterhead(
        code=code,
        **{key: str(merged[key]) for key in _TEXT_KEYS},
        seal_note=str(merged.get("seal_note", "")),
        seal_notes={str(kind): str(text) for kind, text in
                    {**dict(defaults.get("seal_note_by_kind", {})), **dict(values.get("seal_note_by_kind", {}))}.items()},
        appeal_notice_template=appeal,
        repayment_due_days=int(merged.get("repayment_due_days", 30)),
        repayment_payment_instructions=tuple(merged.get("repayment_payment_instructions", ())),
        version=version,
    )


@cache
def letterheads() -> dict[str, MunicipalityLetterhead]:
    """Every configured municipality, by 全国地方公共団体コード (validated on first use)."""
    text = resources.files("service").joinpath("letterhead.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    version = str(data["version"])
    defaults = dict(data.get("defaults", {}))
    result = {code: _entry(code, defaults, dict(values), version)
              for code, values in data.get("municipality", {}).items()}
    from letters import LetterType

    kinds = {kind.value for kind in LetterType}
    for entry in result.values():
        unknown = sorted(set(entry.seal_notes) - kinds)
        if unknown:
            raise ValueError(f"letterhead.toml: municipality {entry.code}: unknown letter kinds {unknown} in "
                             "seal_note_by_kind")
        entry.letterhead("検証第1号")  # the 教示 template's placeholders are checked here
        if not entry.repayment_payment_instructions:
            raise ValueError(f"letterhead.toml: municipality {entry.code} says nowhere how to pay a 返還金")
    return result


def municipality_letterhead(code: str) -> MunicipalityLetterhead:
    """The letterhead for an application from ``code`` (PD26): its own entry; else the deciding body's
    (a designated city for its wards, the prefecture for a 町村); else a default for that body."""
    heads = letterheads()
    if code in heads:
        return heads[code]
    from calculations.rate_book import load_rate_book

    book = load_rate_book()
    if not book.is_assessable(code) and code not in book.prefecture_codes.values():
        raise UnknownMunicipality(f"no letterhead is configured for municipality {code}")
    body = book.deciding_body(code)
    if body in heads:
        return heads[body]
    return _default_letterhead(body, book.body_name(body), is_prefecture=body in book.prefecture_codes.values())


@cache
def _default_letterhead(code: str, name: str, *, is_prefecture: bool) -> MunicipalityLetterhead:
    """A deciding body without its own entry in letterhead.toml: its name, 「〇〇市長」 or 「〇〇知事」 without a
    personal name, the 福祉事務所 and the defaults' wording. A municipality adds its own entry to go live."""
    text = resources.files("service").joinpath("letterhead.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    stem = name[:-1] if len(name) > 2 and name[-1] in "都道府県市区町村" else name
    values = {
        "municipality_name": name,
        "head_title": f"{name}知事" if is_prefecture else f"{name}長",
        "head_name": "-",
        "department": "福祉事務所 自立相談支援担当",
        "contact": f"{name} 福祉事務所",
        "document_prefix": f"{stem}生",
        "council_name": f"社会福祉法人{name}社会福祉協議会",
    }
    entry = _entry(code, dict(data.get("defaults", {})), values, str(data["version"]))
    return dataclasses.replace(entry, head_name="")
