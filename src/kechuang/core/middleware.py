import ipaddress
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

from .audit import audit_context


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, for the audit trail and login throttling.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so with N trusted proxies the
    client is the N-th hop from the right; hops further left were written by the client and prove
    nothing. Without trusted proxies (the default) the header is ignored. A value that is not an IP
    address is never stored.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.KECHUANG_TRUSTED_PROXIES
    if proxies > 0:
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return _valid_ip(hops[-proxies]) or remote
    return remote


class AuditContextMiddleware:
    """Attributes audit records written during a request to its user and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(request=request, ip_address=client_ip(request)):
            return self.get_response(request)


# How far back a proxy's arrival stamp may reach: a request queued longer than this is not believed.
MAX_QUEUE_SECONDS = 300


def proxy_received_at(request, now):
    """When the trusted reverse proxy received the request (`X-Request-Start: t=<unix seconds>`), or None.

    In the last minute before a deadline requests queue in front of busy workers; the proxy's stamp
    says when the applicant pressed submit, which the worker's clock cannot. Only trusted when a proxy
    is configured (a client could send the header too), and only within MAX_QUEUE_SECONDS of now.
    """
    if settings.KECHUANG_TRUSTED_PROXIES <= 0:
        return None
    raw = request.META.get("HTTP_X_REQUEST_START", "").strip()
    if raw.startswith("t="):
        raw = raw[2:]
    try:
        seconds = float(raw)
    except ValueError:
        return None
    if seconds > 1e11:  # milliseconds, as some proxies send
        seconds /= 1000
    stamp = datetime.fromtimestamp(seconds, tz=UTC)
    if not (now - timedelta(seconds=MAX_QUEUE_SECONDS) <= stamp <= now):
        return None
    return stamp


class ReceivedAtMiddleware:
    """Stamps when the request reached the server: deadlines are judged by this, not by when work finished."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = timezone.now()
        request.received_at = proxy_received_at(request, now) or now
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the language switch (its cookie).

    Django would follow the browser's Accept-Language; a bureau's platform is Chinese by default,
    whatever language the visitor's browser happens to be set to.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
