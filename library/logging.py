import logging
import time

logger = logging.getLogger("library.request")


class RequestLogMiddleware:
    """One readable line per request: method, path, status, duration, user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        user = getattr(request, "user", None)
        logger.info(
            "method=%s path=%s status=%s ms=%.1f user=%s",
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
            user.get_username() if user is not None and user.is_authenticated else "-",
        )
        return response
