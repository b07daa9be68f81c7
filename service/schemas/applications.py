"""Application bodies. ``facts`` mirrors contracts.md §1 (every field optional while a draft)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool, StrictStr, ValidationInfo, field_validator

from service.schemas.common import (
    MAX_COSTS,
    MAX_HOUSEHOLD,
    MAX_INCOMES,
    MAX_ITEMS,
    Address,
    Code,
    DateStr,
    Kana,
    Key,
    Month,
    Name,
    Phone,
    ShortNote,
    Strict,
    Yen,
)


class IncomeIn(Strict):
    kind: Code
    amount_yen: Yen
    commuting_allowance_yen: Yen | None = None
    expenses_yen: Yen | None = None


class MemberIn(Strict):
    #: the member's name (issue 14); the applicant's own is ``intake.applicant.name``.
    name: Name | None = None
    relationship: Code | None = None
    birth_date: DateStr | None = None
    student: StrictBool | None = None
    incomes: list[IncomeIn] = Field(default_factory=list, max_length=MAX_INCOMES)


class DeclarationsIn(Strict):
    hello_work_registered: StrictBool | None = None
    similar_benefit: StrictBool | None = None
    gang_member_in_household: StrictBool | None = None


class TriggerIn(Strict):
    kind: Literal["job_loss", "business_closure", "reduced_work"] | None = None
    date: DateStr | None = None
    cause: Literal["dismissal", "employer_reasons", "voluntary", "other"] | None = None
    main_earner: StrictBool | None = None
    job_search_blocked_days: Yen | None = None


class PreviousReceiptIn(Strict):
    last_paid_month: Month
    last_application_date: DateStr


class DestinationIn(Strict):
    municipality_code: Code | None = None
    prefecture: Name | None = None
    municipality: Name | None = None


class IncomeDropIn(Strict):
    month: Month | None = None
    cause: Literal["death", "job_loss", "reduced_work"] | None = None
    main_earner: StrictBool | None = None


class FinanceReviewIn(Strict):
    move_needed: StrictBool | None = None
    cannot_fund: StrictBool | None = None


class CostIn(Strict):
    category: Code
    amount_yen: Yen


class FactsIn(Strict):
    """The assessment input of contracts.md §1; stored as given (unset fields are left out)."""

    benefit: Literal["rent", "moving"] | None = None
    municipality_code: Code | None = None
    application_date: DateStr | None = None
    household: list[MemberIn] | None = Field(default=None, max_length=MAX_HOUSEHOLD)
    assets_yen: Yen | None = None
    declarations: DeclarationsIn | None = None
    applicant_type: Literal["at_risk", "homeless"] | None = None
    rent_yen: Yen | None = None
    common_charges_yen: Yen | None = None
    lease_initial_costs_paid_on: DateStr | None = None
    trigger: TriggerIn | None = None
    previous_receipt: PreviousReceiptIn | None = None
    current_rent_yen: Yen | None = None
    destination: DestinationIn | None = None
    income_drop: IncomeDropIn | None = None
    household_finance_review: FinanceReviewIn | None = None
    costs: list[CostIn] | None = Field(default=None, max_length=MAX_COSTS)


class ApplicantIn(Strict):
    name: Name | None = None
    name_kana: Kana | None = None
    address: Address | None = None
    phone: Phone | None = None
    #: 郵便番号 (``1010052`` or ``101-0052``): the letters' 宛名 print it as 〒101-0052 (issue 14).
    postal_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{3}-?[0-9]{4}$")


class PayeeIn(Strict):
    """The landlord or agent paid by 代理受領 (R45)."""

    payee_kind: Literal["landlord", "agent", "removal_company"] | None = None
    name: Name | None = None
    corporate_number: Code | None = None
    bank_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{4}$")
    branch_code: StrictStr | None = Field(default=None, pattern=r"^[0-9]{3}$")
    account_type: Literal["ordinary", "current", "savings"] | None = None
    account_number: StrictStr | None = Field(default=None, pattern=r"^[0-9]{7}$")
    holder_kana: Kana | None = None

    @field_validator("bank_code", "branch_code", "account_number", mode="before")
    @classmethod
    def _ascii_digits(cls, value: Any) -> Any:
        """Full-width digits (０００１) as typed on a Japanese keyboard become ASCII; other scripts' digits
        stay and fail the pattern (the 全銀 file holds ASCII digits only)."""
        import unicodedata

        return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value

    @field_validator("bank_code")
    @classmethod
    def _known_bank(cls, value: str | None) -> str | None:
        """A bank code zengin-code does not know (9999) is refused: a transfer to it can never arrive."""
        from payments.bank_codes import bank_name

        if value is not None and bank_name(value) is None:
            raise ValueError(f"bank code {value} is not a bank in the 全銀 bank list (zengin-code)")
        return value

    @field_validator("branch_code")
    @classmethod
    def _known_branch(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A branch the given bank does not have is refused (checked when the bank code is given and
        known; a branch without its bank is listed as missing at submission)."""
        from payments.bank_codes import branch_name

        bank_code = info.data.get("bank_code")
        if value is not None and bank_code and branch_name(bank_code, value) is None:
            raise ValueError(f"branch code {value} is not a branch of bank {bank_code} (zengin-code)")
        return value

    @field_validator("corporate_number")
    @classmethod
    def _check_corporate_number(cls, value: str | None) -> str | None:
        from stdnum.exceptions import ValidationError
        from stdnum.jp import cn

        if value is None:
            return None
        try:
            return str(cn.validate(value))
        except ValidationError as exc:
            raise ValueError(f"not a valid 法人番号: {exc}") from exc

    @field_validator("holder_kana", mode="before")
    @classmethod
    def _to_bank_kana(cls, value: Any) -> Any:
        """口座名義 as the bank holds it: hiragana, full-width katakana and letters, 株式会社 … become the
        全銀 half-width form (``かぶしきがいしゃ てすと`` → ``ｶﾌﾞｼｷｶﾞｲｼﾔ ﾃｽﾄ``, ``カ)テスト`` → ``ｶ)ﾃｽﾄ``;
        zengin.md §1.8, §3.3). A character with no 全銀 form (kanji, ゠, ヲ) or a name longer than the
        受取人名 field (30) is refused naming this field, never dropped."""
        from payments.kana import ZenginKanaError, to_zengin_kana
        from payments.payees import HOLDER_NAME_MAX_BYTES

        if not isinstance(value, str) or len(value) > 200:
            return value  # the type and the length limit refuse it
        try:
            return to_zengin_kana(value, max_bytes=HOLDER_NAME_MAX_BYTES)
        except ZenginKanaError as exc:
            raise ValueError(f"the holder name cannot be written in the 全銀 kana: {exc}") from exc


class PlanIn(Strict):
    plan_date: DateStr | None = None
    coordination_meeting_date: DateStr | None = None


class IntakeIn(Strict):
    applicant: ApplicantIn | None = None
    payee: PayeeIn | None = None
    consents: dict[Key, StrictBool] | None = Field(default=None, max_length=MAX_ITEMS)
    emergency: StrictBool | None = None
    plan: PlanIn | None = None
    #: checklist items that do not apply, with the reason (e.g. no earning member).
    document_exemptions: dict[Key, ShortNote] | None = Field(default=None, max_length=MAX_ITEMS)


class ApplicationCreate(Strict):
    kind: Literal["initial", "extension", "change"] = "initial"
    benefit: Literal["rent", "moving"] | None = None
    case_id: int | None = None
    facts: FactsIn = Field(default_factory=FactsIn)
    intake: IntakeIn = Field(default_factory=IntakeIn)


class ApplicationUpdate(Strict):
    facts: FactsIn | None = None
    intake: IntakeIn | None = None


class ApplicationReturnIn(Strict):
    """Why the office returns the application to its agency."""

    reason: StrictStr = Field(min_length=1, max_length=2000)


class CoordinationMeetingIn(Strict):
    """The 支援調整会議 date of the plan (R87), or ``emergency: true`` (R88)."""

    meeting_date: DateStr | None = None
    emergency: StrictBool | None = None


def dump_facts(facts: FactsIn) -> dict[str, Any]:
    return facts.model_dump(exclude_unset=True, mode="json")


def dump_intake(intake: IntakeIn) -> dict[str, Any]:
    return intake.model_dump(exclude_unset=True, mode="json")
