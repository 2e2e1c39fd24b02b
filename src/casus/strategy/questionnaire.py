"""The annual self-evaluation questionnaire: seven modules of statements, in our own words.

Keys are stable: answers are stored by statement key, so a key is never renamed or reused for
another meaning. A statement that is no longer asked is removed from ``MODULES``; its old answers
then stay in the database but no longer count in any module's results.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True)
class Statement:
    key: str
    text: "_StrPromise"


@dataclass(frozen=True)
class Module:
    key: str
    title: Promise
    statements: tuple[Statement, ...]


#: Scores: 1 strongly disagree … 5 strongly agree; "don't know" is stored as no score.
SCORES: tuple[tuple[int, Promise], ...] = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, pgettext_lazy("self-evaluation scale", "Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)
DONT_KNOW = "dk"
DONT_KNOW_LABEL = pgettext_lazy("self-evaluation scale", "Don't know")

MODULES: tuple[Module, ...] = (
    Module(
        "structure",
        pgettext_lazy("self-evaluation module", "Structure"),
        (
            Statement(
                "structure_charter_known",
                _("I know what our charter says about who takes part and why."),
            ),
            Statement(
                "structure_mandatory_present",
                _("The mayor, the police and the prevention service take part as agreed."),
            ),
            Statement(
                "structure_right_partners",
                _("The partners who should be at the table for our cases are there."),
            ),
            Statement(
                "structure_roles_clear",
                _("Everyone knows their own role in the cell and that of the others."),
            ),
        ),
    ),
    Module(
        "vision",
        pgettext_lazy("self-evaluation module", "Vision"),
        (
            Statement(
                "vision_shared_purpose",
                _("The members share one view of what the cell is for."),
            ),
            Statement(
                "vision_prevention_first",
                _("Our work puts care and prevention first, not only security."),
            ),
            Statement(
                "vision_priorities_known",
                _("I know the priorities the strategic table set for this year."),
            ),
        ),
    ),
    Module(
        "working_method",
        pgettext_lazy("self-evaluation module", "Working method"),
        (
            Statement(
                "method_meetings_regular",
                _("The cell meets often enough for the cases it follows."),
            ),
            Statement(
                "method_preparation",
                _("Meetings are well prepared: the agenda and documents come in time."),
            ),
            Statement(
                "method_decisions_recorded",
                _("Decisions and who does what are recorded clearly."),
            ),
            Statement(
                "method_screening_clear",
                _("It is clear how a signal is screened and who decides on it."),
            ),
        ),
    ),
    Module(
        "case_management",
        pgettext_lazy("self-evaluation module", "Case management"),
        (
            Statement(
                "cases_pathways_concrete",
                _("Follow-up pathways have concrete goals and actions."),
            ),
            Statement(
                "cases_followed_up",
                _("Agreed actions are carried out and reviewed on time."),
            ),
            Statement(
                "cases_closure_considered",
                _("We close a case deliberately, with an evaluation and a handover if needed."),
            ),
        ),
    ),
    Module(
        "information_sharing",
        pgettext_lazy("self-evaluation module", "Information sharing"),
        (
            Statement(
                "sharing_secrecy_understood",
                _("I know what I may and may not share under professional secrecy."),
            ),
            Statement(
                "sharing_need_to_know",
                _("We share only what the case needs, and no more."),
            ),
            Statement(
                "sharing_feedback_clear",
                _("Feedback to the police and the LTF follows an agreed procedure."),
            ),
            Statement(
                "sharing_trust",
                _("I trust that what I share stays within the cell."),
            ),
        ),
    ),
    Module(
        "collaboration",
        pgettext_lazy("self-evaluation module", "Collaboration"),
        (
            Statement(
                "collab_respect",
                _("Partners respect each other's mission and limits."),
            ),
            Statement(
                "collab_reachable",
                _("I can reach the other partners easily between meetings."),
            ),
            Statement(
                "collab_disagreement",
                _("Disagreements are discussed openly and resolved."),
            ),
        ),
    ),
    Module(
        "knowledge_transfer",
        pgettext_lazy("self-evaluation module", "Knowledge transfer"),
        (
            Statement(
                "knowledge_training",
                _("Members get the training they need about radicalisation and polarisation."),
            ),
            Statement(
                "knowledge_newcomers",
                _("New members are introduced to how the cell works."),
            ),
            Statement(
                "knowledge_practice_shared",
                _("We learn from other cells and share our own practice."),
            ),
        ),
    ),
)

STATEMENTS: dict[str, Statement] = {s.key: s for m in MODULES for s in m.statements}
MODULE_OF: dict[str, str] = {s.key: m.key for m in MODULES for s in m.statements}
