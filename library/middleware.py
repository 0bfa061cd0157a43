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


class CleanQueryStringMiddleware:
    """Remove the characters PostgreSQL refuses (NUL) and lone surrogates from query-string values.

    A query string holds searches, filters and page numbers; no one types a NUL byte into a search
    box, and a filter holding one makes PostgreSQL raise (a 500), also in views that are not ours
    (the back office's list filters). Submitted forms (POST) are left alone: their fields refuse
    such values with a message (see library/params.py and the form fields).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from library.params import FORBIDDEN

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
