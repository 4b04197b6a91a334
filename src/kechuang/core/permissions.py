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


# Building blocks shared by the apps' predicates (the older apps keep their own copies for now).


def in_region(user, region_code: str | None) -> bool:
    """A region-scoped user (bureau, leader, officer) whose region contains `region_code`, or a superuser."""
    from .scoping import region_within_user_scope

    return user.is_authenticated and (
        user.is_superuser or (user.is_region_scoped and region_within_user_scope(user, region_code))
    )


def is_bureau_editor(user, region_code: str | None) -> bool:
    """Bureau admin or staff of a region containing `region_code` (leaders and town officers only read)."""
    from kechuang.accounts.enums import Role

    return user.is_authenticated and (
        user.is_superuser
        or (user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF) and in_region(user, region_code))
    )


def acts_for(user, organization_id: int | None) -> bool:
    """The user works for this organization right now (its active membership)."""
    return (
        user.is_authenticated
        and organization_id is not None
        and user.active_organization_id == organization_id
    )
