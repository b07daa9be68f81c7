"""Letter content: every word and number of each letter is decided here (architecture.md §4.8).

Each builder takes a plain, frozen input dataclass and returns a :class:`LetterContent`; ``letters.pdf``
only lays it out. Dates are passed in (no clock) and printed in 和暦; money is ``int`` yen printed as
``53,700円``. Letters that notify an administrative decision (処分) carry the 教示 (行政不服審査法第82条,
行政事件訴訟法第46条), worded from the municipality's template (:attr:`Letterhead.appeal_notice_template`).

One module per family of letters, on a common base (issue 13):

- :mod:`letters.content.base`: letterhead, addressee, date, payment route, activity minimums, shared pieces;
- :mod:`letters.content.grant`: 支給対象者証明書, 支給決定通知書, 不支給決定通知書;
- :mod:`letters.content.extension`: 延長決定, 延長不支給・却下;
- :mod:`letters.content.change`: 支給額変更, 中断, 再開;
- :mod:`letters.content.stop_and_repayment`: 支給中止, 返還請求, 返還請求取消;
- :mod:`letters.content.moving`: 転居費用補助の支給決定・支給額確定;
- :mod:`letters.content.notices`: 代理受領の貸主等への通知, 社会福祉協議会への通知;
- :mod:`letters.content.remittance`: 支払明細書.

Every dated number (maximum months, extensions, monthly minimums, cost-cap multiple) comes in through
the inputs. The names below are re-exported so that ``from letters.content import X`` keeps working.
"""

from __future__ import annotations

from calculations.stops import (
    RepaymentCause,
    StopCause,
)
from letters.content.base import (
    BENEFIT_NAME,
    DEFAULT_APPEAL_NOTICE_TEMPLATE,
    ActivityMinimums,
    LetterCommon,
    Letterhead,
    PaymentRoute,
    appeal_notice,
    cite,
)
from letters.content.change import (
    ChangeDecisionInput,
    InterruptionNoticeInput,
    ResumptionNoticeInput,
    build_change_decision_letter,
    build_interruption_notice,
    build_resumption_notice,
)
from letters.content.extension import (
    ExtensionDecisionInput,
    ExtensionRefusalInput,
    build_extension_decision_letter,
    build_extension_refusal_letter,
)
from letters.content.grant import (
    DecisionLetterInput,
    EligibilityCertificateInput,
    RefusalLetterInput,
    build_decision_letter,
    build_eligibility_certificate,
    build_refusal_letter,
)
from letters.content.moving import (
    MOVING_COST_LABELS,
    MovingAllocation,
    MovingConfirmationInput,
    MovingCostLine,
    MovingDecisionInput,
    build_moving_confirmation_letter,
    build_moving_decision_letter,
)
from letters.content.notices import (
    CouncilNoticeInput,
    ProxyNoticeEvent,
    ProxyPaymentNoticeInput,
    build_council_notice,
    build_proxy_payment_notice,
)
from letters.content.remittance import (
    RemittanceLine,
    RemittanceStatementInput,
    build_remittance_statement,
)
from letters.content.stop_and_repayment import (
    STOP_CAUSE_TEXT,
    RepaymentDemandInput,
    RepaymentMonth,
    RepaymentWithdrawalInput,
    StopNoticeInput,
    build_repayment_demand,
    build_repayment_withdrawal,
    build_stop_notice,
)
from letters.model import (
    Addressee,
    ConsentNotOnRecord,
    LetterContent,
    LetterInputError,
    LetterType,
    Section,
    Table,
)

__all__ = [
    "BENEFIT_NAME",
    "DEFAULT_APPEAL_NOTICE_TEMPLATE",
    "MOVING_COST_LABELS",
    "STOP_CAUSE_TEXT",
    "ActivityMinimums",
    "Addressee",
    "ChangeDecisionInput",
    "ConsentNotOnRecord",
    "CouncilNoticeInput",
    "DecisionLetterInput",
    "EligibilityCertificateInput",
    "ExtensionDecisionInput",
    "ExtensionRefusalInput",
    "InterruptionNoticeInput",
    "LetterCommon",
    "LetterContent",
    "LetterInputError",
    "LetterType",
    "Letterhead",
    "MovingAllocation",
    "MovingConfirmationInput",
    "MovingCostLine",
    "MovingDecisionInput",
    "PaymentRoute",
    "ProxyNoticeEvent",
    "ProxyPaymentNoticeInput",
    "RefusalLetterInput",
    "RemittanceLine",
    "RemittanceStatementInput",
    "RepaymentCause",
    "RepaymentDemandInput",
    "RepaymentMonth",
    "RepaymentWithdrawalInput",
    "ResumptionNoticeInput",
    "Section",
    "StopCause",
    "StopNoticeInput",
    "Table",
    "appeal_notice",
    "build_change_decision_letter",
    "build_council_notice",
    "build_decision_letter",
    "build_eligibility_certificate",
    "build_extension_decision_letter",
    "build_extension_refusal_letter",
    "build_interruption_notice",
    "build_moving_confirmation_letter",
    "build_moving_decision_letter",
    "build_proxy_payment_notice",
    "build_refusal_letter",
    "build_remittance_statement",
    "build_repayment_demand",
    "build_repayment_withdrawal",
    "build_resumption_notice",
    "build_stop_notice",
    "cite",
]
