"""A workflow is data: {(state, action): Transition(target, allowed)} per entity.

    APPLICATION_WORKFLOW = Workflow("application", {
        ("draft", "submit"): Transition("submitted", applicant_may),
        ...
    })
    APPLICATION_WORKFLOW.apply(instance=app, action="submit", by=user, reason="", expected_version=3)

`apply` is the one transition function: lock the row → check the transition exists for the current state →
check the role predicate → run the caller's checks → set the state → save → audit → notify, in one
transaction. An illegal transition raises a DomainError naming the state and the action.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_context, record_transition
from .errors import DomainError
from .permissions import Allowed, Denied, require

Predicate = Callable[..., "Allowed | Denied"]


@dataclass(frozen=True)
class Transition:
    target: str
    allowed: Predicate  # (user, instance) -> Allowed | Denied
    needs_reason: bool = False
    label: str = ""


@dataclass
class Workflow:
    name: str
    transitions: dict[tuple[str, str], Transition]
    state_field: str = "state"
    state_labels: dict[str, str] = field(default_factory=dict)
    action_labels: dict[str, str] = field(default_factory=dict)

    def actions_from(self, state: str) -> list[str]:
        return [action for (source, action) in self.transitions if source == state]

    def available(self, instance, user) -> list[str]:
        """Actions `user` may take on `instance` now (for buttons; `apply` checks again)."""
        state = getattr(instance, self.state_field)
        return [
            action
            for (source, action), transition in self.transitions.items()
            if source == state and transition.allowed(user, instance)
        ]

    def apply(
        self,
        *,
        instance,
        action: str,
        by,
        reason: str = "",
        expected_version: int | None = None,
        check: Callable | None = None,
        change: Callable | None = None,
    ):
        """Take `action` on `instance` as `by`; returns the saved, locked instance.

        `check(locked)` may raise DomainError to refuse; `change(locked)` sets other fields before saving.
        """
        model = type(instance)
        with audit_context(actor=by), transaction.atomic():
            locked = model.objects.select_for_update().get(pk=instance.pk)
            if expected_version is not None:
                locked.check_version(expected_version)
            source = getattr(locked, self.state_field)
            transition = self.transitions.get((source, action))
            if transition is None:
                raise DomainError(
                    _("当前状态为“%(state)s”，不能执行“%(action)s”。")
                    % {
                        "state": self.state_labels.get(source, source),
                        "action": self.action_labels.get(action, action),
                    }
                )
            require(transition.allowed(by, locked))
            if transition.needs_reason and not reason.strip():
                raise DomainError(_("请填写理由。"), field="reason")
            if check is not None:
                check(locked)
            setattr(locked, self.state_field, transition.target)
            if hasattr(locked, "state_since"):
                locked.state_since = timezone.now()
            if change is not None:
                change(locked)
            locked.bump_version()
            locked.save()
            record_transition(
                instance=locked, by=by, from_state=source, to_state=transition.target, reason=reason
            )
            return locked
