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


@register(deploy=True)
def data_dir_is_private_and_writable(app_configs, **kwargs):
    """Import uploads wait in DATA_DIR/uploads: the site's account must be able to write there."""
    import os

    from library import uploads

    try:
        path = uploads.folder()
    except OSError as exc:
        path, problem = None, str(exc)
    else:
        problem = "" if os.access(path, os.W_OK | os.X_OK) else "not writable"
    if path is not None and not problem:
        return []
    return [
        Error(
            f"DATA_DIR cannot hold import uploads ({problem}).",
            hint="Set DATA_DIR to a folder the account running the site may write (default: var/ in the checkout).",
            id="library.E002",
        )
    ]
