"""Predicates answer Allowed or Denied(reason); the reason is shown to the user."""

from dataclasses import dataclass

from .errors import PermissionDenied


@dataclass(frozen=True)
class Allowed:
    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Denied:
    reason: str

    def __bool__(self) -> bool:
        return False


def require(decision: "Allowed | Denied") -> None:
    """Raise PermissionDenied with the predicate's reason unless it allowed."""
    if isinstance(decision, Denied):
        raise PermissionDenied(decision.reason)
