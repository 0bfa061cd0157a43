from django.utils import timezone
from django.utils.cache import add_never_cache_headers


class ChineseByDefaultMiddleware:
    """Speak Simplified Chinese unless the user picked another language in the menu.

    School computers often run an English browser; the browser's Accept-Language must not
    switch the interface. The language menu (set_language cookie) still does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Signed-in pages show readers (names, classes, loans): no browser or proxy may keep a copy,
    so the back button on a shared desk computer shows nothing after 退出."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


# How often a signed-in user's session is written back to move its expiry (SESSION_COOKIE_AGE,
# the idle time) forward: not on every request, which would cost three queries at each desk scan.
SESSION_REFRESH_SECONDS = 300


def mark_session_seen(request) -> None:
    request.session["seen_at"] = int(timezone.now().timestamp())


class IdleSessionMiddleware:
    """A session ends SESSION_COOKIE_AGE after the last request (the idle time), not after the login.

    Saving a session sets its expiry to now + SESSION_COOKIE_AGE; this saves a signed-in user's
    session when it was last saved more than SESSION_REFRESH_SECONDS ago, so the expiry follows
    the user's activity to within five minutes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            seen = request.session.get("seen_at", 0)
            if timezone.now().timestamp() - seen > SESSION_REFRESH_SECONDS:
                mark_session_seen(request)
        return self.get_response(request)
