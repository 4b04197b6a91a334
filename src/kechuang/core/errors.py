"""Domain errors: services raise them with a Chinese message that pages and the API show as it is."""


class DomainError(Exception):
    """A request the rules refuse; the message is for the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class ConflictError(DomainError):
    """Someone else changed the record since it was read (optimistic locking)."""

    status = 409
