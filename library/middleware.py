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


class BadInputMiddleware:
    """Bad input at the door: the characters PostgreSQL refuses (NUL) and lone surrogates are removed
    from query-string values; a path holding them is no page (404); a POST body that cannot be
    parsed is refused (400) before any view runs, not after a view has written.

    A query string holds searches, filters and page numbers; no one types a NUL byte into a search
    box, and a filter holding one makes PostgreSQL raise (a 500), also in views that are not ours
    (the back office's list filters). Submitted forms (POST) are left alone: their fields refuse
    such values with a message (see library/params.py and the form fields).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import Http404

        from library.params import FORBIDDEN

        if FORBIDDEN.search(request.path_info):
            raise Http404
        if request.method == "POST":
            # Parsed here (MultiPartParserError becomes a 400) rather than in the middle of a view:
            # a view reading request.POST after its write (a `next` to go back to) would answer 400
            # with the write done. CsrfViewMiddleware does the same, but tests and exempt views skip it.
            request.POST  # noqa: B018
        if any(
            FORBIDDEN.search(key) or any(FORBIDDEN.search(v) for v in values) for key, values in request.GET.lists()
        ):
            cleaned = request.GET.copy()
            for key in list(cleaned):
                values = cleaned.getlist(key)
                del cleaned[key]
                cleaned.setlist(FORBIDDEN.sub("", key), [FORBIDDEN.sub("", v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
