"""The circulation rules' daily chores, run by library.daily.DailyChoresMiddleware (the first
signed-in request of each day; registered in CirculationConfig.ready())."""

import logging

from circulation import services

logger = logging.getLogger(__name__)


def expire_holds() -> bool:
    """Expire the holds whose last day has passed, so their copies go to the next reader in time."""
    expired = services.holds_expire_daily()
    if expired:
        logger.info("daily hold expiry: %s holds expired", expired)
    return False


def anonymise_loans() -> bool:
    """Reading-history retention: a few readers' school years per request while any are left."""
    anonymised = services.loans_anonymise_daily()
    if anonymised and anonymised.loans:
        logger.info("daily loan anonymisation: %s loans", anonymised.loans)
    return bool(anonymised and anonymised.remaining)
