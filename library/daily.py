"""Work the apps ask to be done every day, done by the first signed-in request of the day.

A school server may have no cron. Each app registers its daily chores in its AppConfig.ready()
(`daily.register("holds", fn)`); the first signed-in request of each day (in each process) runs
them. A chore that claims its day in the database (hold expiry, anonymisation, rankings) does the
work in one process only, and costs a query in the others. A chore returns True when it has more
to do (the anonymisation works in small batches): then the next request runs it again. A chore that
fails is logged and tried again on the next request; it never breaks the page the user asked for.
Anonymous requests (the public catalogue, the health check, a kiosk's login page) run nothing.

The library app owns this so that no app imports another to have its chores run (circulation
must not import reading, the catalogue must not import circulation).
"""

import logging
from collections.abc import Callable

from django.utils import timezone

logger = logging.getLogger(__name__)

_chores: dict[str, Callable[[], bool | None]] = {}


def register(name: str, chore: Callable[[], bool | None]) -> None:
    """Run `chore()` once a day (again on the next request while it returns True), in the order
    registered (INSTALLED_APPS order)."""
    _chores[name] = chore


def chores() -> list[str]:
    return list(_chores)


class DailyChoresMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.done_on: dict[str, object] = {}

    def __call__(self, request):
        if request.user.is_authenticated:
            today = timezone.localdate()
            for name, chore in list(_chores.items()):
                if self.done_on.get(name) == today:
                    continue
                self.done_on[name] = today
                try:
                    more = chore()
                except Exception:  # a daily chore must not break the page the user asked for
                    logger.exception("daily chore %s failed; it runs again on the next request", name)
                    self.done_on.pop(name, None)
                else:
                    if more:
                        self.done_on.pop(name, None)
        return self.get_response(request)
