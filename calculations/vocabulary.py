"""One vocabulary (issue 14): the codes of the service's concepts as StrEnums, and one label table with
the screen label and the letter label of every member, read by schemas, screens and letters.

A concept has one Japanese name everywhere: where a screen needs a shorter word than a letter, the two
labels differ in length, never in the term (the 支給対象者証明書 is never a 受給資格証明 on a screen).
The codes are the ones of contracts.md and the database; the calculations' own tuples
(``contract.INCOME_KINDS``, ``moving.ELIGIBLE_CATEGORIES`` …) are checked against these enums by
``tests/calculations/test_vocabulary.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from calculations.stops import RepaymentCause, StopCause

__all__ = ["LABELS", "AccountType", "ApplicantType", "DecisionKind", "IncomeKind", "Label", "MovingCostCategory",
           "PayeeKind", "Relationship", "RepaymentCause", "StopCause", "TriggerKind", "label", "screen_labels"]


class DecisionKind(StrEnum):
    eligibility_certificate = "eligibility_certificate"
    grant = "grant"
    regrant = "regrant"
    refusal = "refusal"
    extension = "extension"
    extension_refusal = "extension_refusal"
    change = "change"
    interruption = "interruption"
    resumption = "resumption"
    stop = "stop"
    repayment = "repayment"
    moving_grant = "moving_grant"
    moving_confirmation = "moving_confirmation"


class IncomeKind(StrEnum):
    wages = "wages"
    self_employment = "self_employment"
    pension = "pension"
    unemployment_benefit = "unemployment_benefit"
    child_allowance = "child_allowance"
    child_rearing_allowance = "child_rearing_allowance"
    scholarship = "scholarship"
    loan = "loan"
    retirement_lump_sum = "retirement_lump_sum"
    other_regular = "other_regular"


class MovingCostCategory(StrEnum):
    """転居費用の費目 (R79, PD13): the first four are paid to the agent, the next three to others, the
    last four are never covered."""

    key_money = "key_money"
    agency_fee = "agency_fee"
    rent_guarantee_fee = "rent_guarantee_fee"
    home_insurance = "home_insurance"
    removal = "removal"
    cleaning = "cleaning"
    key_replacement = "key_replacement"
    deposit = "deposit"
    advance_rent = "advance_rent"
    furniture = "furniture"
    other = "other"


class AccountType(StrEnum):
    ordinary = "ordinary"
    current = "current"
    savings = "savings"


class PayeeKind(StrEnum):
    landlord = "landlord"
    agent = "agent"
    removal_company = "removal_company"
    recipient = "recipient"


class Relationship(StrEnum):
    applicant = "applicant"
    spouse = "spouse"
    partner = "partner"
    child = "child"
    parent = "parent"
    sibling = "sibling"
    grandparent = "grandparent"
    grandchild = "grandchild"
    other = "other"


class ApplicantType(StrEnum):
    at_risk = "at_risk"
    homeless = "homeless"


class TriggerKind(StrEnum):
    job_loss = "job_loss"
    business_closure = "business_closure"
    reduced_work = "reduced_work"


@dataclass(frozen=True, slots=True)
class Label:
    screen: str
    """On screens and in exports: short."""
    letter: str
    """In letters: the full wording of the 通知書."""


def _same(text: str) -> Label:
    return Label(text, text)


LABELS: dict[StrEnum, Label] = {
    # 決定の種類: the letter label is the concept as the 通知書 names it
    DecisionKind.eligibility_certificate: Label("支給対象者証明書", "住居確保給付金支給対象者証明書"),
    DecisionKind.grant: Label("支給決定", "住居確保給付金支給決定"),
    DecisionKind.regrant: Label("再支給決定", "住居確保給付金再支給決定"),
    DecisionKind.refusal: Label("不支給決定", "住居確保給付金不支給決定"),
    DecisionKind.extension: Label("延長決定", "住居確保給付金支給期間延長決定"),
    DecisionKind.extension_refusal: Label("延長不承認", "住居確保給付金支給期間延長不承認"),
    DecisionKind.change: Label("変更決定", "住居確保給付金支給額変更決定"),
    DecisionKind.interruption: Label("支給中断", "住居確保給付金支給中断"),
    DecisionKind.resumption: Label("支給再開", "住居確保給付金支給再開"),
    DecisionKind.stop: Label("支給中止", "住居確保給付金支給中止"),
    DecisionKind.repayment: Label("返還決定", "住居確保給付金返還決定"),
    DecisionKind.moving_grant: Label("転居費用補助 支給決定", "住居確保給付金（転居費用補助）支給決定"),
    DecisionKind.moving_confirmation: Label("転居費用補助 額の確定", "住居確保給付金（転居費用補助）支給額確定"),
    # 支給中止の理由 (規則第15条)
    StopCause.job_search_failure: Label("求職活動等の不履行",
                                        "誠実かつ熱心に求職活動を行っていないこと、又は支給に関する指示に従わなかったこと"),
    StopCause.income_over_limit: Label("常用就職後の収入超過",
                                       "常用就職（又は就業機会の増加）により、世帯収入額が収入基準額を超えたこと"),
    StopCause.left_dwelling: Label("住宅からの退去", "支給決定後、住宅から退去したこと"),
    StopCause.false_application: Label("虚偽の申請", "支給申請に虚偽があったこと"),
    StopCause.gang_member: Label("暴力団員", "受給者又は世帯員が暴力団員であることが判明したこと"),
    StopCause.imprisonment: Label("拘禁刑以上の刑", "受給者が拘禁刑以上の刑に処せられたこと"),
    StopCause.public_assistance: Label("生活保護の開始", "受給者が生活保護を受給することとなったこと"),
    StopCause.death: Label("死亡", "受給者が死亡したこと"),
    StopCause.whereabouts_unknown: Label("所在不明", "受給者の所在が不明となったこと"),
    # 返還の理由
    RepaymentCause.recipient_error: _same("受給者の過誤"),
    RepaymentCause.fraud: _same("不正受給（法第18条）"),
    RepaymentCause.administrative_error: _same("事務上の過誤"),
    # 収入の種類
    IncomeKind.wages: _same("給与"),
    IncomeKind.self_employment: _same("事業収入"),
    IncomeKind.pension: _same("公的年金"),
    IncomeKind.unemployment_benefit: _same("雇用保険の失業等給付"),
    IncomeKind.child_allowance: _same("児童手当"),
    IncomeKind.child_rearing_allowance: _same("児童扶養手当"),
    IncomeKind.scholarship: _same("奨学金"),
    IncomeKind.loan: _same("貸付金"),
    IncomeKind.retirement_lump_sum: _same("退職金"),
    IncomeKind.other_regular: _same("その他の定期収入"),
    # 転居費用の費目
    MovingCostCategory.key_money: _same("礼金"),
    MovingCostCategory.agency_fee: _same("仲介手数料"),
    MovingCostCategory.rent_guarantee_fee: _same("家賃債務保証料"),
    MovingCostCategory.home_insurance: _same("住宅保険料（火災保険料等）"),
    MovingCostCategory.removal: _same("引越し費用（運搬）"),
    MovingCostCategory.cleaning: _same("清掃費用（ハウスクリーニング）"),
    MovingCostCategory.key_replacement: _same("鍵の交換費用"),
    MovingCostCategory.deposit: Label("敷金（対象外）", "敷金"),
    MovingCostCategory.advance_rent: Label("前家賃（対象外）", "前家賃"),
    MovingCostCategory.furniture: Label("家具・家電（対象外）", "家具・家電"),
    MovingCostCategory.other: Label("その他（対象外）", "その他"),
    # 預金種目
    AccountType.ordinary: _same("普通"),
    AccountType.current: _same("当座"),
    AccountType.savings: _same("貯蓄"),
    # 支払先
    PayeeKind.landlord: _same("貸主"),
    PayeeKind.agent: Label("管理会社・仲介業者", "不動産媒介業者等"),
    PayeeKind.removal_company: _same("引越業者"),
    PayeeKind.recipient: _same("受給者本人"),
    # 続柄
    Relationship.applicant: _same("申請者本人"),
    Relationship.spouse: _same("配偶者"),
    Relationship.partner: _same("内縁関係にある者"),
    Relationship.child: _same("子"),
    Relationship.parent: _same("親"),
    Relationship.sibling: _same("兄弟姉妹"),
    Relationship.grandparent: _same("祖父母"),
    Relationship.grandchild: _same("孫"),
    Relationship.other: _same("その他"),
    # 申請者の区分・離職等
    ApplicantType.at_risk: Label("住居を失うおそれがある", "住居を喪失するおそれのある者"),
    ApplicantType.homeless: Label("住居を喪失している", "住居を喪失した者"),
    TriggerKind.job_loss: _same("離職"),
    TriggerKind.business_closure: _same("廃業"),
    TriggerKind.reduced_work: _same("休業等による収入減少"),
}

#: every vocabulary enum (the test checks each member has a label)
ENUMS: tuple[type[StrEnum], ...] = (DecisionKind, StopCause, RepaymentCause, IncomeKind, MovingCostCategory,
                                    AccountType, PayeeKind, Relationship, ApplicantType, TriggerKind)


def label(member: StrEnum) -> Label:
    return LABELS[member]


def screen_labels(enum: type[StrEnum]) -> dict[str, str]:
    """``{code: screen label}`` in the enum's order, for a select box or a lookup."""
    return {str(member): LABELS[member].screen for member in enum}


def letter_labels(enum: type[StrEnum]) -> dict[str, str]:
    return {str(member): LABELS[member].letter for member in enum}
