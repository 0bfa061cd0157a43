"""A signed-in self-check kiosk sees the self-check page and nothing else."""

from django.shortcuts import redirect

# Where a kiosk may go besides its page: signing out, static files, the language switch, the icon.
# /favicon.ico must not be sent to the kiosk page: the browser's icon fetch would follow the
# redirect and take the one-time scan result out of the session before the page shows it.
ALLOWED_PREFIXES = ("/selfcheck/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/favicon.ico")


class KioskOnlyMiddleware:
    """Only the kiosk role (library/roles.py) holds use_selfcheck. has_perm reads the permissions
    the views' own permission checks read next (cached on the user), so this costs other users
    no query on those pages; a superuser holds every permission and is not a kiosk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not user.is_superuser
            and user.has_perm("library.use_selfcheck")
        ):
            return redirect("selfcheck:kiosk")
        return self.get_response(request)
