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
