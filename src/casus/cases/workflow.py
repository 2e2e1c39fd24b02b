"""The case and signal workflows: one transition table each, the only place moves are allowed.

product.md §3:

    signal ─► pre-screening ─► not retained | proposed ─► chair decides ─► on case list
    on case list ─► case discussion ─► follow-up pathway ─► evaluation ─► follow-up | closed
    closed ─► reopened by a new signal
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casus.core.exceptions import RuleViolation

from .models import CaseStatus, SignalStatus

#: (from, to) -> the name of the step, for messages and audit codes.
CASE_TRANSITIONS: dict[tuple[str, str], str] = {
    (CaseStatus.ON_LIST, CaseStatus.IN_DISCUSSION): "discuss",
    (CaseStatus.IN_DISCUSSION, CaseStatus.FOLLOW_UP): "start_pathway",
    (CaseStatus.FOLLOW_UP, CaseStatus.EVALUATION): "evaluate",
    (CaseStatus.EVALUATION, CaseStatus.FOLLOW_UP): "follow_up_again",
    # A case can be closed from every open state: a person may move, die or be handed to
    # the judicial route before the pathway ends.
    (CaseStatus.ON_LIST, CaseStatus.CLOSED): "close",
    (CaseStatus.IN_DISCUSSION, CaseStatus.CLOSED): "close",
    (CaseStatus.FOLLOW_UP, CaseStatus.CLOSED): "close",
    (CaseStatus.EVALUATION, CaseStatus.CLOSED): "close",
    # Reopened by a new signal: back on the case list, to be discussed again.
    (CaseStatus.CLOSED, CaseStatus.ON_LIST): "reopen",
}

#: The steps a user can start from the case page (close and reopen have their own forms).
PROGRESS_STEPS = {
    "discuss": gettext_lazy("Start the case discussion"),
    "start_pathway": gettext_lazy("Start the follow-up pathway"),
    "evaluate": gettext_lazy("Evaluate"),
    "follow_up_again": gettext_lazy("Continue the follow-up"),
}

SIGNAL_TRANSITIONS: dict[tuple[str, str], str] = {
    (SignalStatus.RECEIVED, SignalStatus.NOT_RETAINED): "not_retained",
    (SignalStatus.RECEIVED, SignalStatus.PROPOSED): "propose",
    (SignalStatus.RECEIVED, SignalStatus.JOINED): "join",
    (SignalStatus.PROPOSED, SignalStatus.RETAINED): "retain",
    (SignalStatus.PROPOSED, SignalStatus.NOT_RETAINED): "not_retained_by_chair",
    (SignalStatus.PROPOSED, SignalStatus.JOINED): "join",
}


def case_step(current: str, target: str) -> str:
    """Return the step from ``current`` to ``target``, or refuse with a message."""
    step = CASE_TRANSITIONS.get((current, target))
    if step is None:
        raise RuleViolation(
            _("A case cannot go from “%(current)s” to “%(target)s”.")
            % {"current": CaseStatus(current).label, "target": CaseStatus(target).label}
        )
    return step


def case_next_statuses(current: str) -> list[tuple[str, str]]:
    """The (target status, step) pairs allowed from ``current``."""
    return [(to, step) for (frm, to), step in CASE_TRANSITIONS.items() if frm == current]


def signal_step(current: str, target: str) -> str:
    """Return the step from ``current`` to ``target``, or refuse with a message."""
    step = SIGNAL_TRANSITIONS.get((current, target))
    if step is None:
        raise RuleViolation(
            _("This signal is “%(current)s”; it cannot become “%(target)s”.")
            % {"current": SignalStatus(current).label, "target": SignalStatus(target).label}
        )
    return step
