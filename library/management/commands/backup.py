from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from library import backup


class Command(BaseCommand):
    help = _("备份数据库（pg_dump 自定义格式）和上传的文件，附 SHA-256 校验，只保留最近的若干份。")

    def add_arguments(self, parser):
        parser.add_argument("--dir", help=_("备份目录（默认为设置 BACKUP_DIR）"))
        parser.add_argument("--keep", type=int, default=14, help=_("保留最近的几份备份（默认 14）"))
        parser.add_argument("--no-media", action="store_true", help=_("不备份上传的文件（MEDIA_ROOT）"))

    def handle(self, *args, **opts):
        if opts["keep"] < 1:
            raise CommandError(_("--keep 至少为 1。"))
        directory = backup.backup_dir(opts["dir"])
        try:
            made = backup.make_backup(directory, media=not opts["no_media"])
        except (backup.BackupError, OSError, DatabaseError) as error:
            raise CommandError(_("备份失败：%(error)s") % {"error": error}) from error
        self.stdout.write(
            _("已备份数据库 %(db)s → %(file)s（%(size)s）")
            % {"db": backup.database_label(), "file": made.dump, "size": backup.human_size(made.dump.stat().st_size)}
        )
        if made.media.exists():
            self.stdout.write(
                _("已备份上传的文件 → %(file)s（%(size)s）")
                % {"file": made.media, "size": backup.human_size(made.media.stat().st_size)}
            )
        else:
            self.stdout.write(_("没有上传的文件需要备份。"))
        for old in backup.rotate(directory, opts["keep"]):
            self.stdout.write(_("已删除旧备份 %(file)s") % {"file": old.dump.name})
        self.stdout.write(self.style.SUCCESS(_("备份完成，校验文件：%(file)s") % {"file": made.checksum.name}))
