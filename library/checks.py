from django.core.checks import Error, register
from django.db import connection
from django.db.utils import OperationalError


@register("database")
def database_is_utf8(app_configs, databases=None, **kwargs):
    """Chinese search needs a UTF-8 database (see docs): fail loudly otherwise."""
    if not databases or "default" not in databases:
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_encoding_to_char(encoding), datctype FROM pg_database WHERE datname = current_database()"
            )
            encoding, ctype = cursor.fetchone()
    except OperationalError:
        return []
    errors = []
    if encoding != "UTF8" or "utf" not in ctype.lower().replace("-", ""):
        errors.append(
            Error(
                f"The database must use UTF-8 encoding and a UTF-8 ctype (has {encoding}, {ctype}).",
                hint="createdb -E UTF8 -T template0 --locale=C.UTF-8 library",
                id="library.E001",
            )
        )
    return errors
