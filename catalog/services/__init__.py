"""Cataloguing operations, by topic: numbers (ISBN, 统一书号, class numbers, 种次号, 登记号), records
(查重, create, update), copies (copies, repairs, acquisition batches), weeding (剔旧注销) and the
Z39.50 targets. Callers use `from catalog import services` and the names below."""

from catalog.locations import record_locations_refresh
from catalog.services.copies import (
    batch_create,
    copies_add,
    copy_set_repair,
    copy_update,
    repair_send,
    repairs_finish,
)
from catalog.services.numbers import (
    barcodes_allocate,
    book_number_assign,
    book_number_clash,
    book_numbers_reserve,
    class_number_check,
    isbn_display,
    isbn_normalize,
    unified_number_normalize,
)
from catalog.services.records import (
    RECORD_FIELDS,
    record_create,
    record_duplicates,
    record_isbn_matches,
    record_reindex,
    record_update,
)
from catalog.services.targets import z3950_target_delete, z3950_target_save
from catalog.services.weeding import copies_for_withdrawal, withdrawal_create, withdrawal_number

__all__ = [
    "RECORD_FIELDS",
    "barcodes_allocate",
    "batch_create",
    "book_number_assign",
    "book_number_clash",
    "book_numbers_reserve",
    "class_number_check",
    "copies_add",
    "copies_for_withdrawal",
    "copy_set_repair",
    "copy_update",
    "isbn_display",
    "isbn_normalize",
    "record_create",
    "record_duplicates",
    "record_isbn_matches",
    "record_locations_refresh",
    "record_reindex",
    "record_update",
    "repair_send",
    "repairs_finish",
    "unified_number_normalize",
    "withdrawal_create",
    "withdrawal_number",
    "z3950_target_delete",
    "z3950_target_save",
]
