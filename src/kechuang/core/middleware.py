from django.utils import timezone

from .audit import audit_context


def client_ip(request) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client (README: ops).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Attributes audit records written during a request to its user and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(request=request, ip_address=client_ip(request)):
            return self.get_response(request)


class ReceivedAtMiddleware:
    """Stamps when the request reached the server: deadlines are judged by this, not by when work finished."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.received_at = timezone.now()
        return self.get_response(request)
