from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from library.roles import ensure_roles

    ensure_roles()


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("系统")

    def ready(self):
        # After every app migrates, so the groups also get permissions of models created later.
        post_migrate.connect(_ensure_roles, dispatch_uid="library_ensure_roles")
        from library import checks  # noqa: F401  (registers the database encoding check)


class AxesConfig(AxesAppConfig):
    """django-axes (the login lock-out) under a Chinese name in the back office; its English
    labels are translated in locale/zh_Hans (the package ships no Chinese catalogue)."""

    verbose_name = _("登录锁定")
