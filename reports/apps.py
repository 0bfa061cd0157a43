from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _watch_tables(sender, using="default", **kwargs):
    from reports import changes

    changes.install(using)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("统计报表")

    def ready(self):
        # After every migrate (all apps' tables exist by then): each table gets the change-mark
        # trigger the kept figures rely on (reports.changes).
        post_migrate.connect(_watch_tables, sender=self, dispatch_uid="reports_watch_tables")
        from library import daily
        from reports import changes

        daily.register("report-marks", changes.compact)
