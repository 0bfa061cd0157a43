from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from library import backup


class Command(BaseCommand):
    help = _("从 manage.py backup 做的备份恢复数据库（先核对校验）；--list 列出备份。")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=_("备份文件（.dump），或备份目录中的文件名"))
        parser.add_argument("--dir", help=_("备份目录（默认为设置 BACKUP_DIR）"))
        parser.add_argument("--list", action="store_true", help=_("列出备份及其大小和时间"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("数据库已有数据时仍然恢复：先把现有数据备份一份，再整体替换"),
        )
        parser.add_argument("--no-media", action="store_true", help=_("不恢复上传的文件"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查备份文件和目标数据库，不做任何改动"))

    def handle(self, *args, **opts):
        directory = backup.backup_dir(opts["dir"])
        if opts["list"]:
            return self._list(directory)
        if not opts["file"]:
            raise CommandError(_("请给出要恢复的备份文件，或用 --list 查看有哪些备份。"))
        dump = Path(opts["file"]).expanduser()
        if not dump.exists() and (directory / dump).exists():
            dump = directory / dump
        if not dump.is_file():
            raise CommandError(_("找不到备份文件 %(file)s。") % {"file": dump})
        try:
            self._restore(dump.resolve(), directory, opts)
        except (backup.BackupError, OSError, DatabaseError) as error:
            raise CommandError(str(error)) from error

    def _list(self, directory):
        backups = backup.list_backups(directory)
        if not backups:
            self.stdout.write(_("%(dir)s 中没有备份。") % {"dir": directory})
            return
        self.stdout.write(_("%(dir)s 中的备份：") % {"dir": directory})
        for item in backups:
            media = _("含上传文件") if item.media.exists() else ""
            self.stdout.write(
                f"  {item.dump.name:<40} {backup.human_size(item.size):>10}  "
                f"{item.created:%Y-%m-%d %H:%M}  {media}".rstrip()
            )

    def _restore(self, dump, directory, opts):
        archive = backup.Backup(dump).media
        with_media = archive.exists() and not opts["no_media"]
        # Every check before the first change: a bad media archive must not stop a half-done restore.
        for path in [dump, archive] if with_media else [dump]:
            backup.verify_checksum(path)
            self.stdout.write(_("校验通过：%(file)s") % {"file": path.name})
        target = backup.database_label()
        existing = backup.school_data_counts()
        if existing:
            summary = "，".join(f"{table} {n}" for table, n in existing.items())
            if not opts["force"]:
                raise CommandError(
                    _(
                        "数据库 %(db)s 里已经有数据（%(summary)s），没有恢复。"
                        "请恢复到一个新建的空数据库；确实要用备份替换现有数据时加 --force。"
                    )
                    % {"db": target, "summary": summary}
                )
        if opts["dry_run"]:
            tables = backup.archive_table_count(dump)
            self.stdout.write(
                _("试运行：备份可以读取（%(n)s 张表），可以恢复到数据库 %(db)s；没有做任何改动。")
                % {"n": tables, "db": target}
            )
            return
        if existing:
            safety = backup.make_backup(directory, prefix=backup.SAFETY_PREFIX, media=False)
            self.stdout.write(_("已先把现有数据备份到 %(file)s。") % {"file": safety.dump})
        backup.restore_backup(dump)
        self.stdout.write(_("已把 %(file)s 恢复到数据库 %(db)s。") % {"file": dump.name, "db": target})
        if with_media:
            root = backup.restore_media(archive)
            self.stdout.write(_("已把上传的文件恢复到 %(dir)s。") % {"dir": root})
        self.stdout.write(self.style.SUCCESS(_("恢复完成。若程序比备份新，请再运行 manage.py migrate，然后重启网站。")))
