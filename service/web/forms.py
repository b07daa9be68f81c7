"""The application wizard's forms: posted fields → the API's ``facts`` / ``intake`` shapes, with
Japanese messages for what cannot be accepted. The API's Pydantic schemas do the final boundary check."""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from service.schemas.applications import FactsIn, IntakeIn, dump_facts, dump_intake
from service.security import find_individual_number
from service.web.labels import field_label

STEPS = (
    (1, "世帯", "household"),
    (2, "収入・資産", "income"),
    (3, "住居・支払先", "dwelling"),
    (4, "同意・書類", "consents"),
    (5, "確認・提出", "review"),
)
MOVING_STEPS = (
    (1, "世帯", "household"),
    (2, "収入・資産・収入減少", "income"),
    (3, "転居先・費用・支払先", "dwelling"),
    (4, "同意・書類", "consents"),
    (5, "確認・提出", "review"),
)
MEMBER_ROWS = 6
INCOME_ROWS = 2
COST_ROWS = 6
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
#: A person's name (氏名): the API's limit (service.schemas.common.Name).
NAME_LIMIT = 200


def steps_for(benefit: str) -> tuple[tuple[int, str, str], ...]:
    return MOVING_STEPS if benefit == "moving" else STEPS


def municipalities() -> dict[str, Any]:
    """The rate book's municipalities by code (destination of a move, R78)."""
    from service import rules

    return dict(rules.rate_book().municipalities)


@functools.lru_cache(maxsize=1)
def _prefectures() -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for code, muni in municipalities().items():
        seen.setdefault(muni.prefecture, code)
    return tuple(sorted(seen, key=lambda name: seen[name]))


def prefectures() -> list[str]:
    """The prefectures in JIS code order."""
    return list(_prefectures())


def municipality_name(code: str | None) -> str:
    muni = municipalities().get(code or "")
    return f"{muni.prefecture}{muni.name}{muni.ward}" if muni is not None else (code or "")


@functools.lru_cache(maxsize=1)
def applicant_municipality_options() -> tuple[tuple[str, str], ...]:
    """Every municipality of the rate data (PD25) for the wizard's datalist: the code with its name and
    kana, so typing a name, its reading or the code finds it."""
    return tuple((code, f"{m.prefecture}{m.name}{m.ward}（{_kana(code)}）")
                 for code, m in sorted(municipalities().items()))


@functools.lru_cache(maxsize=1)
def _kana_by_code() -> dict[str, str]:
    import csv

    from calculations.rate_book import RATES_DIR

    with (RATES_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["kana"].replace(" ", "") for row in csv.DictReader(handle)}


def _kana(code: str) -> str:
    return _kana_by_code().get(code, "")


def resolve_municipality(text: str) -> str | None:
    """A code, a full name (東京都千代田区) or a unique name (八王子市) or reading (はちおうじし) → the code."""
    import jaconv

    wanted = jaconv.kata2hira(text.replace(" ", "").replace("　", ""))
    if wanted in municipalities():
        return wanted
    matches = {code for code, m in municipalities().items()
               if wanted in (f"{m.prefecture}{m.name}{m.ward}", f"{m.name}{m.ward}", _kana(code))}
    return matches.pop() if len(matches) == 1 else None


def municipality_options(prefecture: str) -> list[tuple[str, str]]:
    return [(code, f"{m.name}{m.ward}") for code, m in sorted(municipalities().items())
            if m.prefecture == prefecture]
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Parsed:
    facts: dict[str, Any] = field(default_factory=dict)
    intake: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""


def _raw(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _yen(form: FormData, name: str, label: str, errors: dict[str, str], *, required: bool = False) -> int | None:
    text = _text(form, name).replace(",", "").replace("円", "").strip()
    if not text:
        if required:
            errors[name] = f"{label}を入力してください。"
        return None
    if not text.isdecimal():
        errors[name] = f"{label}は0以上の整数（円）で入力してください。"
        return None
    return int(text)


def _date(form: FormData, name: str, label: str, errors: dict[str, str]) -> str | None:
    text = _text(form, name).replace("/", "-")
    if not text:
        return None
    if not DATE_RE.match(text):
        errors[name] = f"{label}は 2025-05-12 の形式で入力してください。"
        return None
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{label}に存在しない日付が入力されています。"
        return None
    return text


def _yesno(form: FormData, name: str) -> bool | None:
    value = _text(form, name)
    return True if value == "yes" else False if value == "no" else None


def _choice(form: FormData, name: str, allowed: dict[str, str]) -> str | None:
    value = _text(form, name)
    return value if value in allowed else None


def parse_household(form: FormData, saved: dict[str, Any]) -> Parsed:
    from service.web.labels import APPLICANT_TYPE, RELATIONSHIP

    out = Parsed()
    facts = out.facts
    errors = out.errors
    typed = _text(form, "municipality_code")
    municipality = resolve_municipality(typed) if typed else None
    if municipality:
        facts["municipality_code"] = municipality
    elif typed:
        errors["municipality_code"] = "申請先の市区町村が見つかりません。候補から選ぶか、名前・ふりがな・コードを入力してください。"
    applied = _date(form, "application_date", "申請日", errors)
    if applied:
        facts["application_date"] = applied
    applicant_type = _choice(form, "applicant_type", APPLICANT_TYPE)
    if applicant_type:
        facts["applicant_type"] = applicant_type
    old_members = saved.get("household") or []
    members: list[dict[str, Any]] = []
    for i in range(MEMBER_ROWS):
        relationship = "applicant" if i == 0 else _choice(form, f"m{i}_relationship", RELATIONSHIP)
        birth = _date(form, f"m{i}_birth_date", f"世帯員{i + 1}の生年月日", errors)
        student = _yesno(form, f"m{i}_student")
        name = _raw(form, f"m{i}_name") if i > 0 else ""
        if i > 0 and relationship is None and birth is None and not name and f"m{i}_birth_date" not in errors:
            continue
        if i > 0 and relationship is None:
            errors[f"m{i}_relationship"] = f"世帯員{i + 1}の続柄を選択してください。"
        if len(name) > NAME_LIMIT:
            errors[f"m{i}_name"] = f"世帯員{i + 1}の氏名は{NAME_LIMIT}文字以内で入力してください。"
        member: dict[str, Any] = {"relationship": relationship, "birth_date": birth,
                                  "student": student if student is not None else None}
        if name:
            member["name"] = name
        old = old_members[len(members)] if len(members) < len(old_members) else {}
        member["incomes"] = copy.deepcopy(old.get("incomes") or [])
        members.append(member)
    facts["household"] = members
    applicant: dict[str, Any] = {}
    for key in ("name", "name_kana", "address", "phone"):
        value = _raw(form, f"applicant_{key}")
        if value:
            applicant[key] = value
    postal = _text(form, "applicant_postal_code").replace("〒", "").replace("ー", "-").strip()
    if postal:
        if re.fullmatch(r"[0-9]{3}-?[0-9]{4}", postal):
            applicant["postal_code"] = postal if "-" in postal else f"{postal[:3]}-{postal[3:]}"
        else:
            errors["applicant_postal_code"] = "郵便番号は 101-0052 のように7桁の数字で入力してください。"
    kana = applicant.get("name_kana")
    if kana and not re.fullmatch(r"[\u30A0-\u30FF\uFF61-\uFF9F 　]+", kana):
        errors["applicant_name_kana"] = "氏名（カナ）はカタカナで入力してください。"
    out.intake["applicant"] = applicant
    return out


def parse_income(form: FormData, saved: dict[str, Any], benefit: str = "rent") -> Parsed:
    from service.web.labels import INCOME_DROP_CAUSE, INCOME_KIND, TRIGGER_CAUSE, TRIGGER_KIND

    out = Parsed()
    errors = out.errors
    household = copy.deepcopy(saved.get("household") or [])
    for i, member in enumerate(household):
        incomes: list[dict[str, Any]] = []
        for j in range(INCOME_ROWS):
            prefix = f"m{i}_inc{j}"
            kind = _choice(form, f"{prefix}_kind", INCOME_KIND)
            amount = _yen(form, f"{prefix}_amount", f"世帯員{i + 1}の収入額", errors)
            commute = _yen(form, f"{prefix}_commute", f"世帯員{i + 1}の通勤手当", errors)
            if kind is None and amount is None:
                continue
            if kind is None:
                errors[f"{prefix}_kind"] = f"世帯員{i + 1}の収入の種類を選択してください。"
                continue
            if amount is None:
                errors.setdefault(f"{prefix}_amount", f"世帯員{i + 1}の収入額を入力してください。")
                continue
            income: dict[str, Any] = {"kind": kind, "amount_yen": amount}
            if commute is not None and kind == "wages":
                if commute > amount:
                    errors[f"{prefix}_commute"] = "通勤手当は給与の額を超えられません。"
                income["commuting_allowance_yen"] = commute
            incomes.append(income)
        member["incomes"] = incomes
    out.facts["household"] = household
    assets = _yen(form, "assets_yen", "金融資産の額", errors)
    if assets is not None:
        out.facts["assets_yen"] = assets
    if benefit == "moving":
        drop: dict[str, Any] = {}
        month = _text(form, "drop_month").replace("/", "-")
        if month:
            if MONTH_RE.match(month) and 1 <= int(month[5:]) <= 12:
                drop["month"] = month
            else:
                errors["drop_month"] = "収入が減少した月は 2025-01 の形式で入力してください。"
        drop_cause = _choice(form, "drop_cause", INCOME_DROP_CAUSE)
        if drop_cause:
            drop["cause"] = drop_cause
        drop_main = _yesno(form, "drop_main_earner")
        if drop_main is not None:
            drop["main_earner"] = drop_main
        out.facts["income_drop"] = drop
        out.facts["declarations"] = _declarations(form)
        return out
    trigger: dict[str, Any] = {}
    kind = _choice(form, "trigger_kind", TRIGGER_KIND)
    if kind:
        trigger["kind"] = kind
    trigger_date = _date(form, "trigger_date", "離職・廃業等の日", errors)
    trigger["date"] = trigger_date if kind != "reduced_work" else None
    cause = _choice(form, "trigger_cause", TRIGGER_CAUSE)
    if cause:
        trigger["cause"] = cause
    main = _yesno(form, "trigger_main_earner")
    if main is not None:
        trigger["main_earner"] = main
    blocked = _yen(form, "job_search_blocked_days", "求職活動ができなかった日数", errors)
    trigger["job_search_blocked_days"] = blocked if blocked is not None else 0
    out.facts["trigger"] = trigger
    out.facts["declarations"] = _declarations(form)
    return out


def _declarations(form: FormData) -> dict[str, Any]:
    declarations: dict[str, Any] = {}
    for key, name in (("hello_work_registered", "decl_hello_work"), ("similar_benefit", "decl_similar_benefit"),
                      ("gang_member_in_household", "decl_gang")):
        value = _yesno(form, name)
        if value is not None:
            declarations[key] = value
    return declarations


def parse_moving(form: FormData, out: Parsed) -> None:
    """転居費用補助: current rent, destination, household-finance review and cost lines (R74–R80, PD13)."""
    from service.web.labels import MOVING_COST

    errors = out.errors
    current = _yen(form, "current_rent_yen", "現在の家賃", errors)
    if current is not None:
        out.facts["current_rent_yen"] = current
    code = _text(form, "dest_code") or _text(form, "dest_municipality")
    if code:
        if code in municipalities():
            out.facts["destination"] = {"municipality_code": code}
        else:
            errors["dest_code"] = "転居先の市区町村コード（6桁）が見つかりません。都道府県と市区町村を選ぶこともできます。"
    review: dict[str, Any] = {}
    for key, name in (("move_needed", "fr_move_needed"), ("cannot_fund", "fr_cannot_fund")):
        value = _yesno(form, name)
        if value is not None:
            review[key] = value
    out.facts["household_finance_review"] = review
    costs: list[dict[str, Any]] = []
    for i in range(COST_ROWS):
        category = _choice(form, f"cost{i}_category", MOVING_COST)
        amount = _yen(form, f"cost{i}_amount", f"費用{i + 1}の金額", errors)
        if category is None and amount is None:
            continue
        if category is None:
            errors[f"cost{i}_category"] = f"費用{i + 1}の費目を選択してください。"
        elif amount is None:
            errors.setdefault(f"cost{i}_amount", f"費用{i + 1}の金額を入力してください。")
        else:
            costs.append({"category": category, "amount_yen": amount})
    out.facts["costs"] = costs


def parse_dwelling(form: FormData, saved: dict[str, Any], benefit: str = "rent") -> Parsed:
    from service.web.labels import ACCOUNT_TYPE, PAYEE_KIND

    out = Parsed()
    errors = out.errors
    if benefit == "moving":
        parse_moving(form, out)
    rent_fields = () if benefit == "moving" else (("rent_yen", "家賃額"), ("common_charges_yen", "共益費・管理費"))
    for key, label in rent_fields:
        # a blank rent is an error at its field, never taken as 0 or left for later
        value = _yen(form, key, label, errors, required=key == "rent_yen")
        if value is not None:
            out.facts[key] = value
    if benefit == "rent" and saved.get("applicant_type") == "homeless":
        paid_on = _date(form, "lease_initial_costs_paid_on", "初期費用を支払った日", errors)
        out.facts["lease_initial_costs_paid_on"] = paid_on
    payee: dict[str, Any] = {}
    kind = _choice(form, "payee_kind", PAYEE_KIND)
    if kind:
        payee["payee_kind"] = kind
    account_type = _choice(form, "account_type", ACCOUNT_TYPE)
    if account_type:
        payee["account_type"] = account_type
    bank_code = _bank_code(form, errors)
    if bank_code:
        payee["bank_code"] = bank_code
        branch_code = _branch_code(form, bank_code, errors)
        if branch_code:
            payee["branch_code"] = branch_code
    elif _text(form, "branch_code") and "bank_code" not in errors:
        errors["bank_code"] = "支店を選ぶ前に金融機関を選んでください。"
    checks = {
        "account_number": (r"\d{7}", "口座番号は7桁の数字で入力してください（7桁未満は前に0を付けます）。"),
        "corporate_number": (r"\d{13}", "法人番号は13桁の数字で入力してください。"),
    }
    for key, (pattern, message) in checks.items():
        text = _text(form, key)
        if text:
            if not re.fullmatch(pattern, text):
                errors[key] = message
            else:
                payee[key] = text
    name = _raw(form, "payee_name")
    if name:
        payee["name"] = name
    holder = _holder_kana(form, errors)
    if holder:
        payee["holder_kana"] = holder
    out.intake["payee"] = payee
    return out


def _bank_code(form: FormData, errors: dict[str, str]) -> str | None:
    """The bank chosen by its code or typed by name or reading (みずほ, みずほ銀行, ミズホ) → its code; an
    unknown code (9999) or name is an error at the field."""
    from payments.bank_codes import resolve_bank

    text = _text(form, "bank_code")
    if not text:
        return None
    if text.isdecimal() and len(text) != 4:
        errors["bank_code"] = "金融機関コードは4桁の数字で入力するか、金融機関名から選んでください。"
        return None
    code = resolve_bank(text)
    if code is None:
        what = f"金融機関コード {text}" if text.isdecimal() else f"「{text}」"
        errors["bank_code"] = (f"{what} に当たる金融機関が全銀の金融機関一覧にありません。"
                               "金融機関名・よみ・コードで候補から選んでください。")
    return code


def _branch_code(form: FormData, bank_code: str, errors: dict[str, str]) -> str | None:
    """The branch of ``bank_code`` chosen by code, name or reading; unknown is an error at the field."""
    from payments.bank_codes import bank_name, resolve_branch

    text = _text(form, "branch_code")
    if not text:
        return None
    if text.isdecimal() and len(text) != 3:
        errors["branch_code"] = "支店コードは3桁の数字で入力するか、支店名から選んでください。"
        return None
    code = resolve_branch(bank_code, text)
    if code is None:
        what = f"支店コード {text}" if text.isdecimal() else f"「{text}」"
        errors["branch_code"] = (f"{what} に当たる支店が {bank_name(bank_code)}（{bank_code}）にありません。"
                                 "支店名・よみ・コードで候補から選んでください。")
    return code


def _holder_kana(form: FormData, errors: dict[str, str]) -> str | None:
    """口座名義 in the bank's kana (全銀 half-width): ひらがな and カタカナ are converted, not refused; a
    character with no 全銀 form is an error naming it."""
    from payments.kana import EmptyName, NameTooLong, UnrepresentableCharacter, to_zengin_kana
    from payments.payees import HOLDER_NAME_MAX_BYTES

    text = _raw(form, "holder_kana")
    if not text:
        return None
    try:
        return to_zengin_kana(text, max_bytes=HOLDER_NAME_MAX_BYTES)
    except UnrepresentableCharacter as exc:
        errors["holder_kana"] = (f"口座名義の「{exc.character}」（{exc.position + 1}文字目）は銀行の口座名義に使える"
                                 "文字（カナ・英大文字・数字・記号 ( ) - . ）に変換できません。通帳のとおりカナで入力してください。")
    except NameTooLong as exc:
        errors["holder_kana"] = (f"口座名義は銀行のカナにすると{exc.length_bytes}文字になり、"
                                 f"{exc.max_bytes}文字を超えます。")
    except EmptyName:
        errors["holder_kana"] = "口座名義をカナで入力してください。"
    return None


def is_blank_first_step(parsed: Parsed) -> bool:
    """Nothing typed on the first step (the application date is filled in by the screen): saving it
    would create an empty case, so nothing is created."""
    facts = parsed.facts
    members = facts.get("household") or []
    typed_member = any(m.get("birth_date") or m.get("student") is not None or m.get("name")
                       or (i > 0 and m.get("relationship")) for i, m in enumerate(members))
    return not (facts.get("municipality_code") or facts.get("applicant_type") or typed_member
                or any(parsed.intake.get("applicant") or {}))


def parse_consents(form: FormData, saved_intake: dict[str, Any], benefit: str, kind: str = "initial") -> Parsed:
    from service.workflows.applications import OPTIONAL_CONSENTS, REQUIRED_CONSENTS

    out = Parsed()
    if kind != "initial":
        return out
    consents = {key: form.get(f"consent_{key}") == "yes" for key in (*REQUIRED_CONSENTS[benefit], *OPTIONAL_CONSENTS)}
    out.intake["consents"] = consents
    emergency = _yesno(form, "emergency")
    if emergency is not None:
        out.intake["emergency"] = emergency
    plan: dict[str, Any] = {}
    for key, label in (("plan_date", "プラン作成日"), ("coordination_meeting_date", "支援調整会議の日")):
        value = _date(form, key, label, out.errors)
        if value:
            plan[key] = value
    out.intake["plan"] = plan
    return out


def validate(parsed: Parsed) -> Parsed:
    """The API's own boundary check (FactsIn / IntakeIn) and the 個人番号 guard, in Japanese."""
    if find_individual_number({"facts": parsed.facts, "intake": parsed.intake}) is not None:
        parsed.errors["_form"] = ("個人番号（マイナンバー）と思われる12桁の番号が含まれています。"
                                  "個人番号は入力しないでください。")
    for model, data, root in ((FactsIn, parsed.facts, "facts"), (IntakeIn, parsed.intake, "intake")):
        try:
            checked = model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                path = ".".join(str(p) for p in err.get("loc", ()))
                name = path.split(".")[-1]
                parsed.errors.setdefault(name, f"{field_label(root + '.' + path)}の入力内容を確認してください。")
            continue
        if root == "facts":
            parsed.facts = dump_facts(checked)  # type: ignore[arg-type]
        else:
            parsed.intake = dump_intake(checked)  # type: ignore[arg-type]
    return parsed


def parse_step(step: int, form: FormData, facts: dict[str, Any], intake: dict[str, Any], benefit: str,
               kind: str = "initial") -> Parsed:
    if step == 1:
        parsed = parse_household(form, facts)
    elif step == 2:
        parsed = parse_income(form, facts, benefit)
    elif step == 3:
        parsed = parse_dwelling(form, facts, benefit)
    elif step == 4:
        parsed = parse_consents(form, intake, benefit, kind)
    else:
        parsed = Parsed()
    return validate(parsed)


# --- the payee step's lists and the review (issue 14: intake that helps) ---------------------------------


@functools.lru_cache(maxsize=1)
def bank_options() -> tuple[tuple[str, str], ...]:
    """Every bank of zengin-code for the payee step's list: the code with the name and reading, so typing
    a name (みずほ), a reading (ミズホ) or the code finds it."""
    from payments.bank_codes import search_banks

    return tuple((b.code, _choice_label(b.name, b.reading)) for b in search_banks("", limit=100_000))


@functools.lru_cache(maxsize=64)
def branch_options(bank_code: str) -> tuple[tuple[str, str], ...]:
    """The branches of one bank (name and reading by code), for the branch list of the payee step."""
    from payments.bank_codes import search_branches

    return tuple((b.code, _choice_label(b.name, b.reading)) for b in search_branches(bank_code, "", limit=100_000))


def _choice_label(name: str, reading: str) -> str:
    """「三菱ＵＦＪ（みつびしゆ－えふじえい）」; the reading left out when it is the name (みずほ)."""
    return name if name == reading else f"{name}（{reading}）"


UNSET = "未入力"


def _or_unset(value: Any, text: str | None = None) -> str:
    return UNSET if value is None or value == "" else (text if text is not None else str(value))


def _yes_no(value: Any) -> str:
    return UNSET if value is None else "はい" if value else "いいえ"


def _bank_text(payee: dict[str, Any]) -> str:
    from payments.bank_codes import bank_name, branch_name

    bank_code, branch_code = payee.get("bank_code"), payee.get("branch_code")
    if not bank_code:
        return UNSET
    bank = bank_name(str(bank_code)) or "不明な金融機関"
    branch = (branch_name(str(bank_code), str(branch_code)) or "不明な支店") if branch_code else UNSET
    return f"{bank}（{bank_code}） {branch}（{branch_code or '—'}）"


def review_rows(facts: dict[str, Any], intake: dict[str, Any], benefit: str,
                kind: str = "initial") -> list[tuple[str, list[tuple[str, str]]]]:
    """Everything the application will submit, in sections of (label, value) for the review step:
    applicant, household members with their incomes, dates, declarations, dwelling or move, payee with
    the bank and branch names, the consents. A value not given reads 「未入力」, never a blank."""
    from service.web import labels as lb

    applicant = intake.get("applicant") or {}
    household = facts.get("household") or []
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    sections.append(("申請の基本情報", [
        ("申請先", _or_unset(facts.get("municipality_code"), municipality_name(facts.get("municipality_code")))),
        ("申請日", _or_unset(facts.get("application_date"), lb.date_ja(facts.get("application_date")))),
        *([("申請者の区分", _or_unset(facts.get("applicant_type"),
                                 lb.APPLICANT_TYPE.get(str(facts.get("applicant_type")))))] if benefit == "rent" else []),
    ]))
    sections.append(("申請者", [
        ("氏名", _or_unset(applicant.get("name"))),
        ("氏名（カナ）", _or_unset(applicant.get("name_kana"))),
        ("郵便番号", _or_unset(applicant.get("postal_code"), f"〒{applicant.get('postal_code')}")),
        ("住所", _or_unset(applicant.get("address"))),
        ("電話番号", _or_unset(applicant.get("phone"))),
    ]))
    members: list[tuple[str, str]] = []
    for i, member in enumerate(household):
        name = member.get("name") or (applicant.get("name") if i == 0 else None)
        relation = lb.RELATIONSHIP.get(str(member.get("relationship")), UNSET)
        student = {True: "就学中", False: "就学していない"}.get(member.get("student"), "就学中か未入力")
        incomes = [f"{lb.INCOME_KIND.get(str(inc.get('kind')), str(inc.get('kind')))} 月{lb.yen(inc.get('amount_yen'))}"
                   + (f"（うち通勤手当 {lb.yen(inc.get('commuting_allowance_yen'))}）"
                      if inc.get("commuting_allowance_yen") else "")
                   for inc in member.get("incomes") or []]
        members.append((f"世帯員{i + 1}（{relation}）",
                        f"{_or_unset(name)}・生年月日 {_or_unset(member.get('birth_date'), lb.date_ja(member.get('birth_date')))}"
                        f"・{student}・収入 {'、'.join(incomes) if incomes else 'なし'}"))
    sections.append((f"世帯（{len(household)}人）と収入", members or [("世帯員", UNSET)]))
    sections.append(("資産", [("世帯の預貯金・現金", _or_unset(facts.get("assets_yen"), lb.yen(facts.get("assets_yen"))))]))
    if benefit == "moving":
        drop = facts.get("income_drop") or {}
        review = facts.get("household_finance_review") or {}
        destination = facts.get("destination") or {}
        costs = [f"{lb.MOVING_COST.get(str(c.get('category')), str(c.get('category')))} {lb.yen(c.get('amount_yen'))}"
                 for c in facts.get("costs") or []]
        sections.append(("収入の減少と転居", [
            ("収入が減少した月", _or_unset(drop.get("month"), lb.month_ja(drop.get("month")))),
            ("収入が減少した理由", _or_unset(drop.get("cause"), lb.INCOME_DROP_CAUSE.get(str(drop.get("cause"))))),
            ("主たる生計維持者か", _yes_no(drop.get("main_earner"))),
            ("現在の家賃", _or_unset(facts.get("current_rent_yen"), lb.yen(facts.get("current_rent_yen")))),
            ("転居先", _or_unset(destination.get("municipality_code"),
                              municipality_name(destination.get("municipality_code")))),
            ("転居が必要と認められるか", _yes_no(review.get("move_needed"))),
            ("転居費用を用意することが困難か", _yes_no(review.get("cannot_fund"))),
            ("転居費用", "、".join(costs) if costs else UNSET),
        ]))
    else:
        trigger = facts.get("trigger") or {}
        sections.append(("離職・廃業・休業等", [
            ("状況", _or_unset(trigger.get("kind"), lb.TRIGGER_KIND.get(str(trigger.get("kind"))))),
            ("離職・廃業の日", lb.date_ja(trigger["date"]) if trigger.get("date")
             else "該当なし（休業等）" if trigger.get("kind") == "reduced_work" else UNSET),
            ("理由", _or_unset(trigger.get("cause"), lb.TRIGGER_CAUSE.get(str(trigger.get("cause"))))),
            ("主たる生計維持者か", _yes_no(trigger.get("main_earner"))),
            ("求職活動ができなかった日数", _or_unset(trigger.get("job_search_blocked_days"),
                                          f"{trigger.get('job_search_blocked_days')}日")),
        ]))
        rows = [("家賃（月額）", _or_unset(facts.get("rent_yen"), lb.yen(facts.get("rent_yen")))),
                ("共益費・管理費（月額）", _or_unset(facts.get("common_charges_yen"), lb.yen(facts.get("common_charges_yen"))))]
        if facts.get("applicant_type") == "homeless":
            rows.append(("初期費用を支払った日", _or_unset(facts.get("lease_initial_costs_paid_on"),
                                                  lb.date_ja(facts.get("lease_initial_costs_paid_on")))))
        sections.append(("住居", rows))
    declarations = facts.get("declarations") or {}
    sections.append(("申告事項", [
        *([("ハローワークに求職の申込みをしている", _yes_no(declarations.get("hello_work_registered")))]
          if benefit == "rent" else []),
        ("国や自治体から類似の給付を受けている", _yes_no(declarations.get("similar_benefit"))),
        ("世帯員に暴力団員がいる", _yes_no(declarations.get("gang_member_in_household"))),
    ]))
    payee = intake.get("payee") or {}
    sections.append(("支払先（代理受領）", [
        ("種別", _or_unset(payee.get("payee_kind"), lb.PAYEE_KIND.get(str(payee.get("payee_kind"))))),
        ("名称", _or_unset(payee.get("name"))),
        ("法人番号", payee.get("corporate_number") or "なし"),
        ("金融機関・支店", _bank_text(payee)),
        ("預金種目・口座番号", f"{lb.ACCOUNT_TYPE.get(str(payee.get('account_type')), UNSET)} "
                         f"{_or_unset(payee.get('account_number'))}"),
        ("口座名義（銀行のカナ）", _or_unset(payee.get("holder_kana"))),
    ]))
    from service.workflows.applications import OPTIONAL_CONSENTS, REQUIRED_CONSENTS

    consents = intake.get("consents") or {}
    plan = intake.get("plan") or {}
    if kind != "initial":  # extensions and changes carry the consents and plan of the first application
        return sections
    sections.append(("説明と同意・プラン", [
        *((lb.CONSENT.get(key, key), "同意あり" if consents.get(key) is True else "未確認")
          for key in REQUIRED_CONSENTS[benefit]),
        *((lb.CONSENT.get(key, key), "同意あり" if consents.get(key) is True else "同意なし")
          for key in OPTIONAL_CONSENTS),
        ("緊急対応", _yes_no(intake.get("emergency"))),
        ("プラン作成日", _or_unset(plan.get("plan_date"), lb.date_ja(plan.get("plan_date")))),
        ("支援調整会議の日", _or_unset(plan.get("coordination_meeting_date"),
                                    lb.date_ja(plan.get("coordination_meeting_date")))),
    ]))
    return sections
