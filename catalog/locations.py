"""Record.location_ids, the OPAC's location facet, kept in step with the copies in the collection.

Its own module because both catalog.services and catalog.status refresh it, and status is imported
by services.
"""

from django.db import connection

LOCATIONS_SQL = """
UPDATE catalog_record r SET location_ids = coalesce(
    (SELECT array_agg(DISTINCT c.location_id ORDER BY c.location_id)
     FROM catalog_copy c WHERE c.record_id = r.id AND c.withdrawn_on IS NULL), '{}')
"""


def record_locations_refresh(record_ids=None) -> None:
    """Recompute Record.location_ids (all records when record_ids is None) in one statement."""
    with connection.cursor() as cur:
        if record_ids is None:
            cur.execute(LOCATIONS_SQL)
        else:
            ids = sorted({int(pk) for pk in record_ids})
            if ids:
                cur.execute(LOCATIONS_SQL + " WHERE r.id = ANY(%s)", [ids])
