"""算定内訳 (calculation breakdown) and 不支給理由 (unmet requirements) from calculation results.

The calculation trace is a list of ``{"step": str, "value": int | str | bool, "rule": str}`` with optional
``"member"`` (a relationship such as ``"child"``, or the member's index in the household as the rules
engine writes it), ``"kind"``, ``"note"``, ``"municipality"`` and ``"grade"``. Known steps get a Japanese label (``step_labels.csv``); unknown
steps print their name. Each line shows its rule number and legal basis (``legal_basis.csv``) and, where
the trace holds the operands, the formula (e.g. ``基準額 84,000円 ＋ 家賃 60,000円 − 収入 100,000円 ＝
44,000円``). A formula is printed only when its arithmetic matches the trace's value; a mismatch is left
out rather than printing a false equation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from letters.model import LetterInputError, Table, format_yen
from letters.reference import legal_basis, requirement_text, step_labels
from letters.wareki import to_wareki

TraceValue = int | str | bool

_MONEY_STEPS = frozenset({"income_counted", "income_excluded", "rent_counted"})

PARAMETER_STEPS = frozenset({"asset_limit_multiplier", "asset_limit_cap_yen", "moving_cost_cap_multiplier"})
"""Rate-book parameters a formula cites (dated numbers, issue 13): printed inside the formula of the step
they serve, not as rows of their own. Without them in the trace the 資産基準額 prints no formula rather
than a constant multiple or cap."""

MEMBER_LABELS: dict[str, str] = {
    "applicant": "申請者",
    "spouse": "配偶者",
    "partner": "内縁関係にある者",
    "child": "子",
    "parent": "親",
    "sibling": "兄弟姉妹",
    "grandparent": "祖父母",
    "grandchild": "孫",
    "other": "その他の世帯員",
}

INCOME_KIND_LABELS: dict[str, str] = {
    "wages": "給与収入（通勤手当を除く）",
    "self_employment": "事業収入（必要経費控除後）",
    "pension": "公的年金",
    "unemployment_benefit": "雇用保険の失業等給付",
    "child_allowance": "児童手当",
    "child_rearing_allowance": "児童扶養手当",
    "scholarship": "奨学金",
    "loan": "貸付金",
    "retirement_lump_sum": "退職金",
    "other_regular": "その他の定期的な収入",
}

NOTE_LABELS: dict[str, str] = {
    # the note codes calculations/income.py writes into the trace
    "student_income": "就学中の世帯員の収入のため認定しません",
    "kind_not_counted": "収入として認定しない種類の給付等のため認定しません",
}
#: Notes as decisions stored before 2026-11-29 wrote them (history is never rewritten; reprints read them).
STORED_NOTE_CODES: dict[str, str] = {"student (PD4)": "student_income", "kind not counted": "kind_not_counted"}


def note_label(note: str) -> str:
    """The trace note as a resident reads it. An unknown note stops the letter (the outbox shows it as
    failed) rather than printing a code or an internal rule number to a reader (PD32)."""
    label = NOTE_LABELS.get(STORED_NOTE_CODES.get(note, note))
    if label is None:
        raise LetterInputError(f"no Japanese wording for the trace note {note!r}")
    return label

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def contains_japanese(text: str) -> bool:
    """Whether ``text`` has kana or kanji (a message shown to residents must be Japanese)."""
    return _JAPANESE.search(text) is not None


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One validated trace entry."""

    step: str
    value: TraceValue
    rule: str
    member: str = ""
    kind: str = ""
    note: str = ""
    municipality: str = ""
    grade: str = ""


def parse_trace(trace: Sequence[Mapping[str, object]]) -> tuple[TraceStep, ...]:
    """Validate the calculation trace (a malformed entry is a ``LetterInputError``)."""
    steps: list[TraceStep] = []
    for index, entry in enumerate(trace):
        step, value, rule = entry.get("step"), entry.get("value"), entry.get("rule", "")
        if not isinstance(step, str) or not step:
            raise LetterInputError(f"trace[{index}] has no step name")
        if isinstance(value, float) or not isinstance(value, int | str | bool):
            raise LetterInputError(f"trace[{index}] ({step}) has a value of type {type(value).__name__}")
        if not isinstance(rule, str):
            raise LetterInputError(f"trace[{index}] ({step}) has a non-text rule")
        extras = {key: entry.get(key, "") for key in ("member", "kind", "note", "municipality", "grade")}
        for key, extra in extras.items():
            if not isinstance(extra, str | int) or isinstance(extra, bool):
                raise LetterInputError(f"trace[{index}] ({step}) has a non-text {key}")
        steps.append(TraceStep(step, value, rule, *(str(extra) for extra in extras.values())))
    return tuple(steps)


def _is_money(step: TraceStep) -> bool:
    return step.step.endswith("_yen") or step.step in _MONEY_STEPS


def format_trace_value(step: TraceStep) -> str:
    """The printed value: yen for money steps, 人 for the household size, 該当/非該当 for flags, 和暦 for
    dates (``YYYY-MM-DD``)."""
    value = step.value
    if isinstance(value, bool):
        return "該当" if value else "非該当"
    if isinstance(value, int):
        if _is_money(step):
            return format_yen(value)
        if step.step == "household_size":
            return f"{value}人"
        return f"{value:,}"
    if _ISO_DATE.match(value):
        try:
            return to_wareki(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _member_text(member: str, members: Sequence[str] = ()) -> str:
    """A member by relationship (``"child"`` → 子) or by index into the household (``"1"`` → 世帯員2,
    with the relationship when ``members`` lists the household's relationships in order)."""
    if member.isdigit():
        index = int(member)
        text = f"世帯員{index + 1}"
        if index < len(members) and members[index]:
            text = f"{text} {MEMBER_LABELS.get(members[index], members[index])}"
        return text
    return MEMBER_LABELS.get(member, member)


def step_label(step: TraceStep, members: Sequence[str] = ()) -> str:
    """Japanese label of a step; per-member income items name the member and the kind of income, a
    destination's ceiling names the municipality and its 級地."""
    label = step_labels().get(step.step, step.step)
    kind = INCOME_KIND_LABELS.get(step.kind, step.kind)
    grade = f"{step.grade}級地" if step.grade.isdigit() else step.grade
    details = [text for text in (_member_text(step.member, members), kind, step.municipality, grade) if text]
    if details:
        label = f"{label}（{'・'.join(details)}）"
    return label


def _ints(steps: Sequence[TraceStep]) -> dict[str, int]:
    """First integer value of each step name (single-valued steps)."""
    values: dict[str, int] = {}
    for step in steps:
        if isinstance(step.value, int) and not isinstance(step.value, bool):
            values.setdefault(step.step, step.value)
    return values


def _formula(step: TraceStep, steps: Sequence[TraceStep]) -> str:
    """The formula line of a step when the trace holds its operands and the arithmetic matches."""
    if isinstance(step.value, bool) or not isinstance(step.value, int):
        return ""
    value = step.value
    v = _ints(steps)
    y = format_yen
    name = step.step
    if name == "household_income_yen":
        items = [s.value for s in steps if s.step == "income_counted" and isinstance(s.value, int)]
        if items and sum(items) == value:
            if len(items) == 1:
                return f"収入認定額 {y(items[0])} ＝ {y(value)}"
            return f"収入認定額の合計 {' ＋ '.join(y(i) for i in items)} ＝ {y(value)}"
        return ""
    if name == "rent_counted" and "rent_ceiling_yen" in v and ({"rent_yen", "current_rent_yen"} & v.keys()):
        current = "rent_yen" not in v
        rent = v["current_rent_yen"] if current else v["rent_yen"]
        if min(rent, v["rent_ceiling_yen"]) == value:
            rent_text, cap_text = y(rent), y(v["rent_ceiling_yen"])
            what = "現在の家賃額" if current else "家賃額"
            return f"{what} {rent_text} と上限額 {cap_text} のいずれか低い額 ＝ {y(value)}"
        return ""
    if name == "income_limit_yen" and {"standard_amount_yen", "rent_counted"} <= v.keys():
        if v["standard_amount_yen"] + v["rent_counted"] == value:
            return f"基準額 {y(v['standard_amount_yen'])} ＋ 算定家賃額 {y(v['rent_counted'])} ＝ {y(value)}"
        return ""
    if name == "asset_limit_yen" and {"standard_amount_yen", "asset_limit_multiplier", "asset_limit_cap_yen"} <= v.keys():
        multiple = v["standard_amount_yen"] * v["asset_limit_multiplier"]
        if min(multiple, v["asset_limit_cap_yen"]) == value:
            standard, cap_text = y(v["standard_amount_yen"]), y(v["asset_limit_cap_yen"])
            factor = v["asset_limit_multiplier"]
            return f"基準額 {standard} × {factor} ＝ {y(multiple)} と {cap_text} のいずれか低い額 ＝ {y(value)}"
        return ""
    operands = {"standard_amount_yen", "rent_yen", "household_income_yen"}
    if name == "amount_before_cap_yen" and operands <= v.keys():
        b, r, i = v["standard_amount_yen"], v["rent_yen"], v["household_income_yen"]
        if b + r - i == value:
            return f"基準額 {y(b)} ＋ 家賃 {y(r)} − 収入 {y(i)} ＝ {y(value)}"
        return ""
    if name == "monthly_amount_yen" and "rent_ceiling_yen" in v:
        cap = v["rent_ceiling_yen"]
        income_yen, standard_yen = v.get("household_income_yen"), v.get("standard_amount_yen")
        at_or_below_standard = (
            income_yen is not None and standard_yen is not None and income_yen <= standard_yen
        )
        if at_or_below_standard and "rent_yen" in v and min(v["rent_yen"], cap) == value:
            rent_text = y(v["rent_yen"])
            return (
                f"収入が基準額以下のため、家賃額 {rent_text} と上限額 {y(cap)} のいずれか低い額 ＝ {y(value)}"
            )
        if "amount_before_cap_yen" in v and min(v["amount_before_cap_yen"], cap) == value:
            return f"{y(v['amount_before_cap_yen'])} と上限額 {y(cap)} のいずれか低い額 ＝ {y(value)}"
        return ""
    if name == "rounded_amount_yen" and "monthly_amount_yen" in v:
        before = v["monthly_amount_yen"]
        if value != before:
            return f"{y(before)} の100円未満を切り上げ ＝ {y(value)}"
        return ""
    if name == "moving_amount_yen" and "eligible_costs_yen" in v and ({"approved_cap_yen", "cost_cap_yen"} & v.keys()):
        cap = v.get("approved_cap_yen", v.get("cost_cap_yen", 0))
        if min(v["eligible_costs_yen"], cap) == value:
            costs = y(v["eligible_costs_yen"])
            return f"補助対象経費 {costs} と支給上限額 {y(cap)} のいずれか低い額 ＝ {y(value)}"
        return ""
    if name == "cost_cap_yen" and v.get("destination_ceiling_yen", 0) > 0:
        ceiling = v["destination_ceiling_yen"]
        # The multiple the rate book applied: traced, or else the exact quotient (the cap is defined as a
        # whole multiple of the ceiling, R78/PD13); never a constant (issue 13: dated numbers).
        times = v.get("moving_cost_cap_multiplier", value // ceiling if value % ceiling == 0 else 0)
        if times and ceiling * times == value:
            return f"転居先の上限額 {y(ceiling)} × {times} ＝ {y(value)}"
        return ""
    return ""


ABBREVIATION_NOTE = "（根拠欄の「法」は生活困窮者自立支援法を、「規則」は同法施行規則をいいます。）"
"""Printed with every table whose basis column uses the short forms of :func:`basis_text`."""


def basis_text(rule: str) -> str:
    """``'R32'`` → ``'規則第11条第1項第1号'``: the legal basis of the rule in short form.

    法 = 生活困窮者自立支援法, 規則 = 生活困窮者自立支援法施行規則 (see :data:`ABBREVIATION_NOTE`). The rule
    number itself is never printed (PD32: R- and PD-numbers are for developers); empty when no article
    is recorded (``legal_basis.csv`` maps every rule a letter cites).
    """
    basis = legal_basis(rule)
    return basis.replace("生活困窮者自立支援法施行規則", "規則").replace("生活困窮者自立支援法", "法")


def breakdown_table(
    trace: Sequence[Mapping[str, object]], *, heading: str = "算定内訳", members: Sequence[str] = ()
) -> Table:
    """The 算定内訳 table: label, value (and formula), rule and legal basis, one row per trace step.

    ``members`` lists the household's relationships in order (``"applicant"``, ``"child"`` …) so that a
    step whose member is an index names the member's relationship too."""
    heading = f"{heading}{ABBREVIATION_NOTE}"
    steps = parse_trace(trace)
    if not steps:
        raise LetterInputError("the 算定内訳 needs a calculation trace")
    rows: list[tuple[str, str, str]] = []
    for step in steps:
        if step.step in PARAMETER_STEPS:
            continue
        value = format_trace_value(step)
        formula = _formula(step, steps)
        lines = [value]
        if formula:
            lines.append(formula)
        if step.note:
            lines.append(note_label(step.note))
        rows.append((step_label(step, members), "\n".join(lines), basis_text(step.rule) if step.rule else ""))
    return Table(
        heading=heading,
        column_headings=("項目", "金額等・計算式", "根拠"),
        rows=tuple(rows),
        column_weights=(5, 8, 4),
    )


@dataclass(frozen=True, slots=True)
class Reason:
    """One unmet requirement: ``{"rule", "code", "message"}`` from the assessment."""

    rule: str
    code: str
    message: str


def parse_reasons(reasons: Sequence[Mapping[str, object]]) -> tuple[Reason, ...]:
    """Validate the assessment's reasons."""
    parsed: list[Reason] = []
    for index, entry in enumerate(reasons):
        values = [entry.get(key, "") for key in ("rule", "code", "message")]
        if not all(isinstance(value, str) for value in values):
            raise LetterInputError(f"reasons[{index}] must have text rule, code and message")
        rule, code, message = (str(value) for value in values)
        if not rule and not code:
            raise LetterInputError(f"reasons[{index}] has neither rule nor code")
        parsed.append(Reason(rule, code, message))
    return tuple(parsed)


def reason_text(reason: Reason, wording: Mapping[str, str]) -> str:
    """A reason in plain Japanese.

    Order of preference: the municipality's wording for the reason code; the requirement of the rule
    (``legal_basis.csv``) followed by the assessment's message when that message is Japanese; the
    Japanese message alone; a generic sentence naming the rule. An English message is never printed.
    """
    if reason.code in wording:
        return wording[reason.code]
    requirement = requirement_text(reason.rule)
    message = reason.message.strip() if contains_japanese(reason.message) else ""
    if requirement:
        sentence = f"「{requirement}」の要件を満たしていません。"
        return f"{sentence}\n{message}" if message else sentence
    if message:
        return message
    return "支給要件を満たしていません。"


def reasons_table(
    reasons: Sequence[Mapping[str, object]], wording: Mapping[str, str], *, heading: str
) -> Table:
    """One numbered row per unmet requirement, each with its rule and legal basis."""
    parsed = parse_reasons(reasons)
    heading = f"{heading}{ABBREVIATION_NOTE}"
    if not parsed:
        raise LetterInputError("a refusal must list every unmet requirement; none was given")
    rows = tuple(
        (f"{number}", reason_text(reason, wording), basis_text(reason.rule) if reason.rule else "")
        for number, reason in enumerate(parsed, start=1)
    )
    return Table(
        heading=heading, column_headings=("番号", "理由", "根拠"), rows=rows, column_weights=(1, 8, 4)
    )
