from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadingConfig(AppConfig):
    name = "reading"
    verbose_name = _("阅读推广")

    def ready(self):
        # The catalogue never imports this app: its public pages ask catalog.hooks for extra sections.
        from catalog import hooks
        from circulation import hooks as circulation_hooks
        from library import daily
        from reading import services, views

        # The term's rankings (books only), computed once a day, not per request.
        daily.register("rankings", services.rankings_refresh_chore)
        hooks.on_front_page(views.front_shelves)
        hooks.on_record_page(views.record_sections)
        circulation_hooks.on_reader_page(views.reader_notes_section)
