from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from library.roles import ensure_roles

    ensure_roles()


def _session_seen_at_login(sender, request, user, **kwargs):
    from library.middleware import mark_session_seen

    if request is not None and hasattr(request, "session"):
        mark_session_seen(request)


class LibraryConfig(AppConfig):
    # Two AppConfig classes live in this module (AxesConfig below), so Django needs to be told
    # which one "library" in INSTALLED_APPS means; without it, ready() below never ran.
    default = True
    name = "library"
    verbose_name = _("系统")

    def ready(self):
        # After every app migrates, so the groups also get permissions of models created later.
        post_migrate.connect(_ensure_roles, dispatch_uid="library_ensure_roles")
        from library import checks  # noqa: F401  (registers the database encoding check)

        # A new session starts "seen", so the first requests after a login need not save it again.
        user_logged_in.connect(_session_seen_at_login, dispatch_uid="library_session_seen_at_login")

        from library import daily, sessions, uploads

        daily.register("uploads", uploads.purge_stale_daily)
        daily.register("sessions", sessions.clear_expired_daily)


class AxesConfig(AxesAppConfig):
    """django-axes (the login lock-out) under a Chinese name in the back office; its English
    labels are translated in locale/zh_Hans (the package ships no Chinese catalogue)."""

    verbose_name = _("登录锁定")
