"""The data-subject request workflow: one transition table, the only place moves are allowed.

received ─► in review (compiled; each contributing organisation reviews its own entries)
received ─► awaiting decision (compiled, nothing to review)
in review ─► awaiting decision (the last review is done)
awaiting decision ─► decided (the chair) ─► closed (the coordinator, once answered)
"""

from django.utils.translation import gettext as _

from casus.core.exceptions import RuleViolation

from .models import SubjectRequestStatus as Status

#: (from, to) -> the name of the step, for audit codes.
SUBJECT_REQUEST_TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.RECEIVED, Status.IN_REVIEW): "compile",
    # Compiled, and no organisation has entries to review (nothing held, or only police-only
    # entries, which never enter this workflow).
    (Status.RECEIVED, Status.AWAITING_DECISION): "compile",
    (Status.IN_REVIEW, Status.AWAITING_DECISION): "reviews_done",
    (Status.AWAITING_DECISION, Status.DECIDED): "decide",
    (Status.DECIDED, Status.CLOSED): "close",
}


def subject_request_step(current: str, target: str) -> str:
    """Return the step from ``current`` to ``target``, or refuse with a message."""
    step = SUBJECT_REQUEST_TRANSITIONS.get((current, target))
    if step is None:
        raise RuleViolation(
            _("A request cannot go from “%(current)s” to “%(target)s”.")
            % {"current": Status(current).label, "target": Status(target).label}
        )
    return step
