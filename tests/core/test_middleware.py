"""Request stamps that rules depend on: when a request arrived, and from where."""


def test_deadline_stamp_comes_from_a_trusted_proxy_only(rf, settings):
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from kechuang.core.middleware import ReceivedAtMiddleware

    middleware = ReceivedAtMiddleware(lambda request: request)
    now = timezone.now()
    queued = (now - timedelta(seconds=20)).timestamp()

    def stamp(header, proxies):
        settings.KECHUANG_TRUSTED_PROXIES = proxies
        request = middleware(rf.post("/", HTTP_X_REQUEST_START=header))
        return round((now - request.received_at).total_seconds())

    assert stamp(f"t={queued:.3f}", 1) == 20  # nginx ${msec}: waited 20 s in the queue
    assert stamp(f"{queued * 1000:.0f}", 1) == 20  # milliseconds
    assert stamp(f"t={queued:.3f}", 0) == 0  # no trusted proxy: the client's header is ignored
    assert stamp(f"t={(now - timedelta(minutes=10)).timestamp():.3f}", 1) == 0  # implausibly old
    assert stamp(f"t={(now + timedelta(minutes=1)).timestamp():.3f}", 1) <= 0  # from the future
    assert stamp("t=soon", 1) == 0
    assert datetime.fromtimestamp(queued, tz=UTC) < now
