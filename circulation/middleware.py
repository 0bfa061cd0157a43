"""Work the circulation rules ask for every day, done by the first request of the day."""

import logging

from django.utils import timezone

from circulation import services
from library import uploads

logger = logging.getLogger(__name__)


class DailyHoldExpiryMiddleware:
    """Expire the holds whose last day has passed, so their copies go to the next reader in time,
    and anonymise the returned loans past the reading-history retention period.

    A school server may have no cron: the first signed-in request of each day (in each process)
    asks services.holds_expire_daily(), which claims the day in the database so only one process
    does the work. Later requests that day cost nothing. Anonymous requests (the public catalogue,
    the health check) do not trigger it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.checked_on = None
        self.purged_on = None

    def __call__(self, request):
        today = timezone.localdate()
        if self.checked_on != today and request.user.is_authenticated:
            self.checked_on = today
            try:
                expired = services.holds_expire_daily()
            except Exception:  # a daily chore must not break the page the user asked for
                logger.exception("daily hold expiry failed; it runs again on the next request")
                self.checked_on = None
            else:
                if expired:
                    logger.info("daily hold expiry: %s holds expired", expired)
            try:
                # Reading-history retention, claimed once a day the same way (services.retention).
                anonymised = services.loans_anonymise_daily()
            except Exception:
                logger.exception("daily loan anonymisation failed; it runs again on the next request")
                self.checked_on = None
            else:
                if anonymised and anonymised.loans:
                    logger.info("daily loan anonymisation: %s loans", anonymised.loans)
                if anonymised and anonymised.remaining:
                    self.checked_on = None  # more to anonymise: the next request does the next few
            try:
                # The reading app's term rankings (books only), computed once a day, not per request.
                from reading.services import rankings_refresh_daily

                rankings_refresh_daily()
            except Exception:
                logger.exception("daily reading rankings failed; they are computed again tomorrow")
            if self.purged_on != today:
                self.purged_on = today
                try:
                    uploads.purge_stale()  # import files nobody confirmed or cancelled (library.uploads)
                except OSError:
                    logger.exception("removing stale uploads failed; it runs again tomorrow")
        return self.get_response(request)
