"""Writes of the annual self-evaluation: open it, answer it, close it.

Answers are anonymous in the results but not in the database (each respondent can change
their own until it closes). The audit trail therefore records that someone answered and how
many statements, never a score or a comment: the log must not undo the anonymity.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casus.access.models import Cell, Membership, User
from casus.access.rules import ROLE_ACTIONS, Action, require
from casus.audit.services import audit_record
from casus.core.exceptions import RuleViolation
from casus.core.notices import notify

from ..models import Answer, EvaluationStatus, SelfEvaluation
from ..questionnaire import STATEMENTS
from .common import TEXT_MAX_LENGTH, clean_text
from .plan import check_year

COMMENT_MAX_LENGTH = 2000
#: The notice every member who may answer gets when a self-evaluation opens.
OPENED_NOTIFICATION = "self_evaluation_opened"

#: A statement's answer: (score 1–5, or None for "don't know"; comment). A statement left out
#: (or mapped to None) is not answered: an earlier answer to it is withdrawn.
Reply = tuple[int | None, str]


def evaluation_open(*, actor: User, cell: Cell, year: int) -> SelfEvaluation:
    """Open the cell's self-evaluation of ``year`` for answers (once per cell and year)."""
    require(actor, Action.STRATEGY_WRITE, cell)
    year = check_year(year)
    try:
        with transaction.atomic():
            evaluation = SelfEvaluation.objects.create(cell=cell, year=year, opened_by=actor)
            audit_record(
                actor=actor,
                action="SELF_EVALUATION_OPENED",
                cell=cell,
                obj=evaluation,
                data={"year": year},
            )
            evaluation_pk, cell_pk = evaluation.pk, cell.pk
            transaction.on_commit(lambda: _notify_respondents(evaluation_pk, cell_pk))
    except IntegrityError:
        raise RuleViolation(
            _("The self-evaluation of %(year)d already exists.") % {"year": year}
        ) from None
    return evaluation


def _notify_respondents(evaluation_pk: int, cell_pk: int) -> None:
    """Ask every current member who may answer to do so: a notice and an e-mail, no content."""
    seats = (
        Membership.objects.current()
        .filter(
            cell_id=cell_pk,
            role__in=ROLE_ACTIONS[Action.SELF_EVALUATION_ANSWER],
            user__is_active=True,
        )
        .select_related("user")
    )
    notify(
        users=(membership.user for membership in seats),
        cell_id=cell_pk,
        kind=OPENED_NOTIFICATION,
        url=reverse("strategy:evaluation_answer", args=[evaluation_pk]),
        key=f"{OPENED_NOTIFICATION}:{evaluation_pk}",
        subject=gettext_lazy("[Casus] Your cell's self-evaluation is open"),
        body=gettext_lazy(
            "Your cell has opened its annual self-evaluation.\n\n"
            "Open %(url)s to answer it; your answers stay anonymous in the results.\n"
        ),
        what="self-evaluation opened",
    )


def _lock(evaluation: SelfEvaluation) -> SelfEvaluation:
    return (
        SelfEvaluation.objects.select_for_update(of=("self",))
        .select_related("cell")
        .get(pk=evaluation.pk)
    )


def evaluation_close(*, actor: User, evaluation: SelfEvaluation) -> SelfEvaluation:
    """Close the self-evaluation: no more answers; its results can then be read."""
    require(actor, Action.STRATEGY_WRITE, evaluation.cell_id)
    with transaction.atomic():
        evaluation = _lock(evaluation)
        if not evaluation.is_open:
            raise RuleViolation(_("This self-evaluation is already closed."))
        evaluation.status = EvaluationStatus.CLOSED
        evaluation.closed_by = actor
        evaluation.closed_at = timezone.now()
        evaluation.save(update_fields=["status", "closed_by", "closed_at"])
        respondents = evaluation.answers.values("respondent").distinct().count()
        audit_record(
            actor=actor,
            action="SELF_EVALUATION_CLOSED",
            cell=evaluation.cell,
            obj=evaluation,
            data={"year": evaluation.year, "respondents": respondents},
        )
    return evaluation


def _clean(replies: Mapping[str, Reply | None]) -> dict[str, Reply]:
    unknown = set(replies) - set(STATEMENTS)
    if unknown:
        raise RuleViolation(_("The questionnaire has no such statement."))
    clean: dict[str, Reply] = {}
    for key, reply in replies.items():
        if reply is None:
            continue
        score, comment = reply
        if score is not None and not 1 <= int(score) <= 5:
            raise RuleViolation(_('Choose a score from 1 to 5, or "don\'t know".'))
        comment = clean_text(comment, limit=min(COMMENT_MAX_LENGTH, TEXT_MAX_LENGTH))
        clean[key] = (None if score is None else int(score), comment)
    return clean


def evaluation_answer(
    *, actor: User, evaluation: SelfEvaluation, replies: Mapping[str, Reply | None]
) -> int:
    """Save the actor's answers while the self-evaluation is open; return how many they have.

    The replies replace the actor's earlier answers: a statement answered again is changed, a
    statement no longer answered is withdrawn.
    """
    require(actor, Action.SELF_EVALUATION_ANSWER, evaluation.cell_id)
    clean = _clean(replies)
    with transaction.atomic():
        evaluation = _lock(evaluation)
        if not evaluation.is_open:
            raise RuleViolation(_("This self-evaluation is closed: answers can no longer change."))
        mine = {
            a.statement: a for a in Answer.objects.filter(evaluation=evaluation, respondent=actor)
        }
        now = timezone.now()
        changed = 0
        for key, (score, comment) in clean.items():
            answer = mine.get(key)
            if answer is None:
                Answer.objects.create(
                    evaluation=evaluation,
                    respondent=actor,
                    statement=key,
                    score=score,
                    comment=comment,
                    answered_at=now,
                )
                changed += 1
            elif (answer.score, answer.comment) != (score, comment):
                answer.score, answer.comment, answer.answered_at = score, comment, now
                answer.save(update_fields=["score", "comment", "answered_at"])
                changed += 1
        withdrawn = [answer.pk for key, answer in mine.items() if key not in clean]
        Answer.objects.filter(pk__in=withdrawn).delete()
        # Who answered and how much, never what: the log must keep the answers anonymous.
        audit_record(
            actor=actor,
            action="SELF_EVALUATION_ANSWERED",
            cell=evaluation.cell,
            obj=evaluation,
            data={
                "year": evaluation.year,
                "answered": len(clean),
                "changed": changed,
                "withdrawn": len(withdrawn),
            },
        )
    return len(clean)
