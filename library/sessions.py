"""The session engine: Django's database sessions, read with SQL built once.

Every signed-in request reads its session first (the desk's scans included); the ORM spends more
CPU building that one-row SELECT than PostgreSQL spends running it. Writing, expiry and
everything else are Django's (SESSION_ENGINE = "library.sessions").
"""

import functools

from django.contrib.sessions.backends import db
from django.utils import timezone

from library.prepared import Part, PreparedSelect


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        # As self.model.objects.get(session_key=…, expire_date__gt=now), None when missing or expired.
        found = _session_select(self.model).fetch([self.session_key, timezone.now()])
        if found:
            return found[0]
        self._session_key = None
        return None


@functools.cache
def _session_select(model) -> PreparedSelect:
    table = model._meta.db_table
    return PreparedSelect(
        [Part(model, table)],
        f"SELECT {{columns}} FROM {table} WHERE {table}.session_key = %s AND {table}.expire_date > %s",
    )


def clear_expired_daily() -> bool:
    """The daily chore (library.daily): delete the sessions past their expiry (Django leaves their
    rows until `clearsessions` runs, which a school server without cron never does). A session may
    hold an import's preview (the roster's rows: pupils' names and 学号) that nobody confirmed: it
    is gone within a day of the session's end (SESSION_IDLE_HOURS after its last request)."""
    SessionStore.clear_expired()
    return False
