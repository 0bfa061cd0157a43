"""The real address of the client behind a known number of trusted reverse proxies."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address the outermost trusted proxy saw, for the login lock-out (django-axes).

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    TRUSTED_PROXY_COUNT proxies in front of the site the client is that many entries from the
    right. Entries further left were written by the client and are not believed. With no trusted
    proxy (the default) the header is ignored and REMOTE_ADDR is the client.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
