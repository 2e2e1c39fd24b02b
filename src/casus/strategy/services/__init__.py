"""Writes of the strategy app: every change checks the rules and is audited in its transaction."""

from .diagnosis import document_create, document_update, finding_create, finding_update
from .evaluation import evaluation_answer, evaluation_close, evaluation_open
from .plan import (
    objective_create,
    objective_update,
    priority_create,
    priority_update,
    progress_note_add,
)

__all__ = [
    "document_create",
    "document_update",
    "evaluation_answer",
    "evaluation_close",
    "evaluation_open",
    "finding_create",
    "finding_update",
    "objective_create",
    "objective_update",
    "priority_create",
    "priority_update",
    "progress_note_add",
]
