"""Hot reads as SQL built once: the desk reads (and locks) the reader's state, the copy and the
open loan on every checkout and return, and every signed-in request reads its user.

Building and compiling such querysets costs the ORM 0.5–1 ms of CPU each, more than PostgreSQL
takes to run them. A PreparedSelect builds its SQL once from the models' metadata and turns each
row into model instances the way select_related does: Model.from_db (with the field converters),
each joined row cached on its parent (None for a missing nullable one), the extra columns set as
attributes. Every value is passed as a query parameter, never written into the SQL.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Field, Model
from django.db.transaction import TransactionManagementError


@dataclass(frozen=True)
class Part:
    """One model in the SELECT: `table` is its table's name (or alias) in the SQL, `path` where it
    hangs under the first part ("" for the first part itself, "reader" or "reader.school_class"; a
    last name that is no field of the parent model becomes a plain attribute, None without a row),
    `defer` the fields not read (loaded on access, as QuerySet.defer does)."""

    model: type[Model]
    table: str
    path: str = ""
    defer: tuple[str, ...] = ()


class PreparedSelect:
    """`sql` holds "{columns}" where the columns of the parts and the extra columns go.

    extra: attribute name → (SQL expression, its output Field or Field class); the extras' query parameters
    come first in fetch()'s params, in this order, then those of the rest of the SQL.
    lock: the SQL locks rows (FOR UPDATE), so it must run inside a transaction.
    """

    def __init__(self, parts: Sequence[Part], sql: str, *, extra: dict | None = None, lock: bool = False):
        self.parts, self.lock = tuple(parts), lock
        columns: list[str] = []
        fields: list[Field] = []
        self._slices = []
        for part in self.parts:
            own = [f for f in part.model._meta.concrete_fields if f.name not in part.defer]
            pk_at = own.index(part.model._meta.pk)
            self._slices.append((part, [f.attname for f in own], len(columns), len(columns) + len(own), pk_at))
            columns += [f'{part.table}."{f.column}"' for f in own]
            fields += own
        self._extra = []
        for name, (expression, field_class) in (extra or {}).items():
            self._extra.append((name, len(columns)))
            columns.append(f"({expression})")
            fields.append(field_class() if isinstance(field_class, type) else field_class)
        self._fields = fields
        # Parts whose name is no field of their parent (a row the statement read alongside it)
        # are set as plain attributes.
        self._plain = set()
        for part in self.parts[1:]:
            parent_path, _, name = part.path.rpartition(".")
            parent = next(p for p in self.parts if p.path == parent_path)
            if name not in {f.name for f in parent.model._meta.get_fields()}:
                self._plain.add(part.path)
        self.sql = sql.replace("{columns}", ", ".join(columns))
        self._converters = None

    def fetch(self, params: Sequence) -> list[Model]:
        """The first part's instances, one per row, with their joined rows and extra attributes."""
        if self.lock and not connection.in_atomic_block:
            raise TransactionManagementError("a locking read must run inside a transaction")
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self._converters is None:
            # (column, converters) for each column whose field converts the database's value (a
            # JSONField's text, for one); found on first use, when the connection is there.
            self._converters = [
                (position, converters)
                for position, field in enumerate(self._fields)
                if (converters := field.get_db_converters(connection))
            ]
        return [self._instance(row) for row in rows]

    def _instance(self, row) -> Model:
        if self._converters:
            row = list(row)
            for position, converters in self._converters:
                for convert in converters:
                    row[position] = convert(row[position], None, connection)
        made: dict[str, Model | None] = {}
        for part, attnames, start, end, pk_at in self._slices:
            values = row[start:end]
            parent_path, _, name = part.path.rpartition(".")
            if values[pk_at] is None:  # a nullable relation with no row
                instance = None
            else:
                instance = part.model.from_db(DEFAULT_DB_ALIAS, attnames, values)
            made[part.path] = instance
            if part.path:
                parent = made[parent_path]
                if parent is not None:
                    if part.path in self._plain:  # a row read with the parent, not one of its relations
                        setattr(parent, name, instance)
                    else:
                        parent._meta.get_field(name).set_cached_value(parent, instance)
        root = made[""]
        for name, position in self._extra:
            setattr(root, name, row[position])
        return root


class PreparedInsert:
    """INSERT one row of `model` with SQL built once; as instance.save() does for a new row
    (pre_save and the database preparation of each field, an unsaved related object refused),
    without the ORM building the statement every time."""

    def __init__(self, model: type[Model]):
        meta = model._meta
        self._fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns = ", ".join(f'"{f.column}"' for f in self._fields)
        placeholders = ", ".join(["%s"] * len(self._fields))
        self.sql = f'INSERT INTO {meta.db_table} ({columns}) VALUES ({placeholders}) RETURNING "{meta.pk.column}"'

    def save(self, instance: Model) -> Model:
        instance._prepare_related_fields_for_save(operation_name="save")
        values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in self._fields]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            instance.pk = cursor.fetchone()[0]
        instance._state.adding = False
        instance._state.db = DEFAULT_DB_ALIAS
        return instance
