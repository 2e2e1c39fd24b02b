"""Data-subject requests: who opens which request and which organisation's part of it.

The coordinator compiles and the chair decides: both open the cell's requests. Each
contributing organisation reviews its own entries only: a reviewer (information officer or
member) opens the review of their own organisation, and so does the coordinator for the
entries their own organisation wrote. The DPO reads decisions only (a selector of the privacy
app gives them the bare facts), never a request itself.
"""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from ..models import Cell, User
from . import Action, can, membership_for

if TYPE_CHECKING:
    from casus.privacy.models import SubjectRequest, SubjectRequestReview


def subject_request_queryset_for(user: User, cell: Cell | int | None) -> "QuerySet[SubjectRequest]":
    """Requests of ``cell`` that ``user`` may open: all of them for the coordinator (who
    compiles) and the chair (who decides); none for anyone else."""
    from casus.privacy.models import SubjectRequest

    membership = membership_for(user, cell)
    # No current membership in this cell: nothing.
    if membership is None:
        return SubjectRequest.objects.none()
    # Only the coordinator and the chair open requests (the requester's identity included).
    if not (
        can(user, Action.SUBJECT_REQUEST_COMPILE, cell)
        or can(user, Action.SUBJECT_REQUEST_DECIDE, cell)
    ):
        return SubjectRequest.objects.none()
    return SubjectRequest.objects.filter(cell_id=membership.cell_id)


def subject_review_queryset_for(
    user: User, cell: Cell | int | None
) -> "QuerySet[SubjectRequestReview]":
    """Reviews ``user`` may open and submit: their own organisation's part of the cell's
    requests, while the organisations review."""
    from casus.privacy.models import SubjectRequestReview, SubjectRequestStatus

    membership = membership_for(user, cell)
    # No current membership in this cell: nothing.
    if membership is None:
        return SubjectRequestReview.objects.none()
    # Reviewers (information officer, members), and the coordinator for the entries their
    # own organisation wrote; never the chair, the DPO, strategic members or administrators.
    if not (
        can(user, Action.SUBJECT_REQUEST_REVIEW, cell)
        or can(user, Action.SUBJECT_REQUEST_COMPILE, cell)
    ):
        return SubjectRequestReview.objects.none()
    return SubjectRequestReview.objects.filter(
        # Requests of this cell only.
        request__cell_id=membership.cell_id,
        # Only while the organisations review: a decided request is no longer reviewed.
        request__status=SubjectRequestStatus.IN_REVIEW,
        # Only the reader's own organisation's part: nobody reviews another's entries.
        organisation_id=membership.organisation_id,
    )


def subject_review_allowed(user: User, review: "SubjectRequestReview") -> bool:
    """Whether ``user`` may open and submit ``review`` now (the rule of the queryset)."""
    cell_id = review.request.cell_id
    return subject_review_queryset_for(user, cell_id).filter(pk=review.pk).exists()
