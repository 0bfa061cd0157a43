"""Circulation services: every write of loans, holds, cards and compensation goes through here.

Each function owns its transaction, locks the contended rows (the reader for limits, the copy for
"one open loan per copy") and records a CirculationEvent. The code lives in one module per topic;
this package re-exports the public names, so `from circulation import services` and
`from circulation.services import loan_checkout` keep working.
"""

from circulation.services.cards import card_cancel, card_issue, card_reissue, card_report_lost
from circulation.services.common import log_refusal, policy_for, reader_blocks, reader_state
from circulation.services.compensation import (
    COPY_AFTER_DAMAGE,
    compensation_amount,
    compensation_quotes,
    compensation_report,
    compensation_settle,
)
from circulation.services.holds import (
    copy_offer_to_holds,
    hold_cancel,
    hold_place,
    hold_queue_position,
    holds_expire,
    holds_expire_daily,
)
from circulation.services.loans import (
    ReturnResult,
    class_collective_checkout,
    collective_reader_for,
    loan_checkout,
    loan_renew,
    loan_return,
)
from circulation.services.retention import AnonymiseResult, loans_anonymise, loans_anonymise_daily
from circulation.services.school_year import (
    STAGE_GRADES,
    RolloverResult,
    current_term,
    graduating_classes,
    graduation_open_loans,
    reader_save,
    school_year_rollover,
)
from circulation.services.title_rules import title_loan_rule_set

__all__ = [
    "AnonymiseResult",
    "COPY_AFTER_DAMAGE",
    "STAGE_GRADES",
    "ReturnResult",
    "RolloverResult",
    "card_cancel",
    "card_issue",
    "card_reissue",
    "card_report_lost",
    "class_collective_checkout",
    "collective_reader_for",
    "compensation_amount",
    "compensation_quotes",
    "compensation_report",
    "compensation_settle",
    "copy_offer_to_holds",
    "current_term",
    "graduating_classes",
    "graduation_open_loans",
    "hold_cancel",
    "hold_place",
    "hold_queue_position",
    "holds_expire",
    "holds_expire_daily",
    "loan_checkout",
    "loans_anonymise",
    "loans_anonymise_daily",
    "loan_renew",
    "loan_return",
    "log_refusal",
    "policy_for",
    "reader_blocks",
    "reader_save",
    "reader_state",
    "school_year_rollover",
    "title_loan_rule_set",
]
