"""Break-glass: the chair alone opens one case's file for 24 hours, with a reason, after
re-authenticating; coordinator and DPO are told; the reads stand out; the next meeting reviews."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casus.access.rules import CaseAction, case_context, forget_case_contexts
from casus.audit.models import AccessLog, AuditEvent
from casus.audit.selectors import event_values
from casus.cases.models import Case, CaseGrant, GrantReason
from casus.core.exceptions import Forbidden, RuleViolation
from casus.core.models import Notification
from casus.privacy.models import BreakGlass
from casus.privacy.services import break_glass_open, break_glass_review
from tests.cases.factories import CaseFactory, participate
from tests.cases.helpers import write_entry
from tests.conftest import World, mark_reauthenticated, ready_client

pytestmark = pytest.mark.django_db

REASON = "Police report an imminent risk tonight; the school must be told now."


@pytest.fixture
def case(world: World) -> Case:
    school = world.membership(world.partner1).organisation
    case = CaseFactory(cell=world.cell_a, opened_by=world.chair, lead_organisation=school)
    participate(case, school, world.coordinator)
    write_entry(world.partner1, case, text="The pupil spoke of a plan.")
    return case


def reauthenticated(user, cell=None) -> Client:
    """A ready client whose session has just re-authenticated (as allauth records it)."""
    return mark_reauthenticated(ready_client(user, cell), user)


def dossier(user, case: Case) -> bool:
    forget_case_contexts(user)
    return case_context(user, case).allows(CaseAction.DOSSIER)


# --- Service --------------------------------------------------------------------------------


def test_the_chair_opens_the_file_for_24_hours(
    world: World, case: Case, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    assert not dossier(world.chair, case)
    with django_capture_on_commit_callbacks(execute=True):
        access = break_glass_open(actor=world.chair, case=case, reason=REASON)
    assert dossier(world.chair, case)
    grant = CaseGrant.objects.get(case=case, user=world.chair, reason=GrantReason.BREAK_GLASS)
    assert grant.valid_until == access.expires_at
    assert access.expires_at - access.opened_at == datetime.timedelta(hours=24)
    event = AuditEvent.objects.get(action="BREAK_GLASS_OPENED")
    assert (event.case_id, event.actor) == (case.pk, world.chair)
    assert event_values(event)["reason"] == [None, REASON]
    assert REASON not in event.values_sealed and "reason" in event.data["fields"]
    # Coordinator and DPO are told at once; nobody else; no content anywhere in it.
    told = set(
        Notification.objects.filter(kind="break_glass_opened").values_list("user", flat=True)
    )
    assert told == {world.coordinator.pk, world.dpo.pk}
    assert {mail.to[0] for mail in mailoutbox} == {world.coordinator.email, world.dpo.email}
    for mail in mailoutbox:
        assert case.reference not in mail.body + mail.subject
        assert "imminent" not in mail.body and case.subject_family_name not in mail.body


def test_the_access_ends_after_24_hours(world: World, case: Case) -> None:
    break_glass_open(actor=world.chair, case=case, reason=REASON)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        assert not dossier(world.chair, case)
        # And the chair may break the glass again, with a new reason.
        assert case_context(world.chair, case).allows(CaseAction.BREAK_GLASS)


@pytest.mark.parametrize(
    "who",
    [
        "coordinator",
        "information_officer",
        "partner1",
        "partner2",
        "strategic",
        "dpo",
        "cell_admin",
        "member_b",
    ],
)
def test_only_the_chair_may_break_the_glass(world: World, case: Case, who: str) -> None:
    with pytest.raises(Forbidden):
        break_glass_open(actor=getattr(world, who), case=case, reason=REASON)
    assert not BreakGlass.objects.exists()
    assert not AuditEvent.objects.filter(action="BREAK_GLASS_OPENED").exists()


@pytest.mark.parametrize("reason", ["", "   ", "Too short.", "x" * 2001])
def test_a_reason_is_required(world: World, case: Case, reason: str) -> None:
    with pytest.raises(RuleViolation):
        break_glass_open(actor=world.chair, case=case, reason=reason)
    assert not BreakGlass.objects.exists()


def test_not_twice_while_open_and_not_in_another_cell(world: World, case: Case) -> None:
    break_glass_open(actor=world.chair, case=case, reason=REASON)
    forget_case_contexts(world.chair)
    with pytest.raises(Forbidden):
        break_glass_open(actor=world.chair, case=case, reason=REASON)
    other = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    with pytest.raises(Forbidden):
        break_glass_open(actor=world.chair, case=other, reason=REASON)
    assert BreakGlass.objects.count() == 1


def test_review_by_the_coordinator_only_and_once(world: World, case: Case) -> None:
    access = break_glass_open(actor=world.chair, case=case, reason=REASON)
    for who in ("chair", "information_officer", "dpo", "partner1"):
        with pytest.raises(Forbidden):
            break_glass_review(actor=getattr(world, who), access=access, note="Justified.")
    with pytest.raises(RuleViolation):
        break_glass_review(actor=world.coordinator, access=access, note="  ")
    reviewed = break_glass_review(actor=world.coordinator, access=access, note="Justified.")
    assert reviewed.reviewed_by == world.coordinator and reviewed.reviewed_at is not None
    assert AuditEvent.objects.filter(action="BREAK_GLASS_REVIEWED", case_id=case.pk).exists()
    with pytest.raises(RuleViolation):
        break_glass_review(actor=world.coordinator, access=access, note="Again.")


# --- Pages ------------------------------------------------------------------------------------


def test_the_page_asks_to_re_authenticate_first(world: World, case: Case) -> None:
    """Only after the 404 check: re-authentication reveals nothing about an id."""
    client = ready_client(world.chair)
    url = reverse("privacy:break_glass_open", args=[case.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    assert not BreakGlass.objects.exists()


def test_the_chair_breaks_the_glass_and_reads_the_journal(world: World, case: Case) -> None:
    client = reauthenticated(world.chair)
    overview = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("privacy:break_glass_open", args=[case.pk])
    assert url in overview
    assert client.get(reverse("cases:journal", args=[case.pk])).status_code == 404
    short = client.post(url, {"reason": "Now."})
    assert short.status_code == 400 and not BreakGlass.objects.exists()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:journal", args=[case.pk])
    journal = client.get(response["Location"])
    assert journal.status_code == 200
    page = journal.content.decode()
    assert "The pupil spoke of a plan." in page
    assert "break-glass-banner" in page and url not in page
    # The reads made through it stand out in the access log.
    marked = AccessLog.objects.filter(actor=world.chair, case_id=case.pk, data__break_glass=True)
    assert marked.exists()


def test_nobody_else_reaches_the_break_glass_page(world: World, case: Case) -> None:
    url = reverse("privacy:break_glass_open", args=[case.pk])
    for who in ("coordinator", "partner1", "dpo"):
        client = reauthenticated(getattr(world, who))
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": REASON}).status_code == 404
    # A case id of another cell is not found either.
    other = CaseFactory(cell=world.cell_b, opened_by=world.member_b)
    client = reauthenticated(world.chair)
    assert client.get(reverse("privacy:break_glass_open", args=[other.pk])).status_code == 404
    assert not BreakGlass.objects.exists()


def test_the_list_shows_reasons_to_the_coordinator_but_not_to_the_dpo(
    world: World, case: Case
) -> None:
    with transaction.atomic():
        break_glass_open(actor=world.chair, case=case, reason=REASON)
    url = reverse("privacy:break_glass_list")
    coordinator = ready_client(world.coordinator).get(url).content.decode()
    assert case.reference in coordinator and "imminent risk" in coordinator
    assert reverse("privacy:break_glass_review", args=[BreakGlass.objects.get().pk]) in coordinator
    dpo = ready_client(world.dpo).get(url).content.decode()
    assert case.reference in dpo and "imminent risk" not in dpo
    assert reverse("privacy:break_glass_review", args=[BreakGlass.objects.get().pk]) not in dpo
    for who in ("partner1", "information_officer", "strategic", "cell_admin"):
        assert ready_client(getattr(world, who)).get(url).status_code == 404


def test_the_coordinator_records_the_review_from_the_list(world: World, case: Case) -> None:
    access = break_glass_open(actor=world.chair, case=case, reason=REASON)
    client = ready_client(world.coordinator)
    review = reverse("privacy:break_glass_review", args=[access.pk])
    assert client.post(review, {"note": ""}).status_code == 302
    access.refresh_from_db()
    assert access.reviewed_at is None
    client.post(review, {"note": "Justified: the risk was real."})
    access.refresh_from_db()
    assert access.review_note == "Justified: the risk was real."
    assert ready_client(world.dpo).post(review, {"note": "x"}).status_code == 404
