"""Signals, cases and everything in a case file.

Only ``cases.services`` writes these rows; ``access.rules`` decides who may see which.
"""

from .casefile import (
    Attachment,
    Case,
    CaseGrant,
    CaseStatus,
    ClosureReason,
    GrantReason,
    Handover,
    HandoverStatus,
    JournalEntry,
    JournalRevision,
    Participation,
    Visibility,
)
from .followup import (
    ActionStatus,
    Assessment,
    AssessmentDomain,
    ExternalInstrument,
    Goal,
    LifeDomain,
    PathwayAction,
    Review,
    ScenarioItem,
    ScenarioKind,
    ScenarioTemplate,
)
from .signals import ScreeningOutcome, Signal, SignalStatus

__all__ = [
    "ActionStatus",
    "Assessment",
    "AssessmentDomain",
    "Attachment",
    "Case",
    "CaseGrant",
    "CaseStatus",
    "ClosureReason",
    "ExternalInstrument",
    "Goal",
    "GrantReason",
    "Handover",
    "HandoverStatus",
    "JournalEntry",
    "JournalRevision",
    "LifeDomain",
    "Participation",
    "PathwayAction",
    "Review",
    "ScenarioItem",
    "ScenarioKind",
    "ScenarioTemplate",
    "ScreeningOutcome",
    "Signal",
    "SignalStatus",
    "Visibility",
]
