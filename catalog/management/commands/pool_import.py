from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import marc
from catalog.exceptions import CatalogError
from catalog.sources import pool


class Command(BaseCommand):
    help = (
        "Put a MARC file (ISO 2709 or MARCXML; CNMARC or MARC21) into the source pool (书目数据源), "
        "e.g. a union-catalogue dump larger than the upload limit. No catalogue records or copies are made."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", default="", help="the name shown in the pool (default: the file name)")
        parser.add_argument("--origin", default="", help="where the data comes from (supplier, union catalogue)")
        parser.add_argument("--flavour", choices=["auto", "cnmarc", "marc21"], default="auto")
        parser.add_argument("--encoding", choices=["auto", *marc.ENCODINGS], default="auto")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            source = pool.pool_import(
                content=content,
                name=opts["name"] or path.name,
                origin=opts["origin"],
                flavour=opts["flavour"],
                encoding=opts["encoding"],
            )
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{source.record_count} records put into the pool as “{source.name}” "
            f"({source.flavour}, {source.encoding}); {source.skipped_count} unreadable records left out."
        )
        for number, message in source.summary.skipped[:50]:
            self.stdout.write(f"  {number}: {message}")
