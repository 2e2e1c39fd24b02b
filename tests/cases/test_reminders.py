"""Daily reminders: who gets them, once per day, and e-mails without case content."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casus.cases.models import (
    ActionStatus,
    Case,
    CaseStatus,
    ClosureReason,
    GrantReason,
    PathwayAction,
)
from casus.cases.tasks import (
    ACTION_DUE,
    ACTION_OVERDUE,
    REVIEW_DUE,
    reminders_run,
    send_reminders,
)
from casus.core.models import Notification
from casus.core.scheduler import jobs
from tests.conftest import World, ready_client

from .conftest import CaseWorld
from .factories import participate
from .helpers import org_named, pathway_action, personal_grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def action(world: World, case: Case, owner: str, due_in: int, **extra: str) -> PathwayAction:
    return pathway_action(
        case,
        org_named(owner),
        world.coordinator,
        due=due_in,
        description=f"Secret action text for {owner}.",
        **extra,
    )


def notified(kind: str | None = None) -> set[tuple[str, str]]:
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return {(n.user.full_name, n.kind) for n in rows.select_related("user")}


def test_an_action_due_soon_reminds_the_owner_organisation(
    world: World, cases: CaseWorld, mailoutbox
) -> None:
    due = action(world, cases.case, "School A", 3)
    counts = reminders_run(today=TODAY)
    assert counts == {world.partner1.pk: 1}
    (notice,) = Notification.objects.all()
    assert notice.user == world.partner1 and notice.kind == ACTION_DUE
    assert notice.cell == world.cell_a
    assert notice.reference == cases.case.reference
    assert notice.url == reverse("cases:detail", args=[cases.case.pk])
    assert notice.key == f"{ACTION_DUE}:{due.pk}:{world.partner1.pk}:{TODAY.isoformat()}"
    (mail,) = mailoutbox
    assert mail.to == [world.partner1.email]
    assert "1 new reminder" in mail.body
    assert reverse("core:notifications") in mail.body


def test_the_e_mail_carries_no_case_content(world: World, cases: CaseWorld, mailoutbox) -> None:
    case = cases.case
    Case.objects.filter(pk=case.pk).update(next_review_on=TODAY)
    action(world, case, "School A", -2)
    action(world, case, "School A", 1)
    reminders_run(today=TODAY)
    (mail,) = [m for m in mailoutbox if m.to == [world.partner1.email]]
    assert "3 new reminders" in mail.body
    text = mail.subject + mail.body
    for secret in (
        case.subject_family_name,
        case.subject_given_names,
        case.reference,
        case.summary,
        "Secret action text",
        "School A",
        "Cell A",
    ):
        assert secret not in text
    for notice in Notification.objects.all():
        assert case.subject_family_name not in f"{notice.reference}{notice.url}{notice.key}"


def test_running_twice_the_same_day_adds_nothing(
    world: World, cases: CaseWorld, mailoutbox
) -> None:
    Case.objects.filter(pk=cases.case.pk).update(next_review_on=TODAY + datetime.timedelta(days=7))
    action(world, cases.case, "School A", 0)
    first = reminders_run(today=TODAY)
    count, mails = Notification.objects.count(), len(mailoutbox)
    assert first and count and mails == len(first)
    assert reminders_run(today=TODAY) == {}
    assert Notification.objects.count() == count
    assert len(mailoutbox) == mails
    # The next day reminds again.
    assert reminders_run(today=TODAY + datetime.timedelta(days=1))
    assert Notification.objects.count() == 2 * count


def test_a_non_owner_organisation_gets_nothing(world: World, cases: CaseWorld, mailoutbox) -> None:
    action(world, cases.case, "School A", 2)
    reminders_run(today=TODAY)
    users = {n.user_id for n in Notification.objects.all()}
    for who in ("partner2", "chair", "coordinator", "information_officer", "strategic", "dpo"):
        assert getattr(world, who).pk not in users
    assert {m.to[0] for m in mailoutbox} == {world.partner1.email}


def test_an_owner_that_cannot_see_the_case_gets_nothing(
    world: World, cases: CaseWorld, mailoutbox
) -> None:
    # OCMW owns an action but does not participate: its member cannot see the case.
    action(world, cases.case, "OCMW A", 2)
    assert reminders_run(today=TODAY) == {}
    assert not Notification.objects.exists() and not mailoutbox


@pytest.mark.parametrize("dossier", [False, True])
def test_a_personal_grant_alone_brings_no_action_reminder(
    world: World, cases: CaseWorld, mailoutbox, dossier: bool
) -> None:
    """A meeting window (or break-glass) shows the case, not its pathway: OCMW's member
    sees the case but is not reminded of OCMW's action on it."""
    personal_grant(
        cases.case,
        world.partner2,
        dossier=dossier,
        reason=GrantReason.BREAK_GLASS if dossier else GrantReason.MEETING,
    )
    action(world, cases.case, "OCMW A", -1)
    assert reminders_run(today=TODAY) == {}
    assert not Notification.objects.exists() and not mailoutbox
    # Once OCMW participates, its member reads the pathway and is reminded.
    participate(cases.case, org_named("OCMW A"), world.coordinator)
    assert reminders_run(today=TODAY) == {world.partner2.pk: 1}


def test_a_lead_partner_seen_only_through_a_personal_grant_is_not_reminded_of_reviews(
    world: World, cases: CaseWorld
) -> None:
    Case.objects.filter(pk=cases.case.pk).update(
        lead_organisation=org_named("OCMW A"), next_review_on=TODAY
    )
    personal_grant(cases.case, world.partner2)
    reminders_run(today=TODAY)
    assert notified() == {("Coordinator A", REVIEW_DUE)}


def test_roles_that_see_every_case_are_reminded_of_their_organisation_s_actions(
    world: World, cases: CaseWorld
) -> None:
    action(world, cases.other, "Police zone A", -1)
    action(world, cases.other, "Prevention A", 5)
    reminders_run(today=TODAY)
    assert notified() == {
        ("Officer A", ACTION_OVERDUE),
        ("Coordinator A", ACTION_DUE),
    }


def test_review_due_reminds_coordinator_and_lead_partner(world: World, cases: CaseWorld) -> None:
    Case.objects.filter(pk=cases.case.pk).update(next_review_on=TODAY + datetime.timedelta(days=2))
    Case.objects.filter(pk=cases.other.pk).update(next_review_on=TODAY - datetime.timedelta(days=9))
    reminders_run(today=TODAY)
    rows = Notification.objects.filter(kind=REVIEW_DUE)
    by_case = {(n.reference, n.user_id) for n in rows}
    assert by_case == {
        (cases.case.reference, world.coordinator.pk),
        (cases.case.reference, world.partner1.pk),
        # ``other`` has no lead partner: the coordinator alone.
        (cases.other.reference, world.coordinator.pk),
    }


def test_a_lead_partner_no_longer_participating_is_not_reminded(
    world: World, cases: CaseWorld
) -> None:
    participation = cases.case.participations.get()
    participation.revoked_at = timezone.now()
    participation.save()
    from casus.cases.services.common import revoke_grants

    revoke_grants(source=participation)
    Case.objects.filter(pk=cases.case.pk).update(next_review_on=TODAY)
    action(world, cases.case, "School A", 1)
    reminders_run(today=TODAY)
    assert notified() == {("Coordinator A", REVIEW_DUE)}


def test_nothing_for_later_done_or_closed_items(world: World, cases: CaseWorld, mailoutbox) -> None:
    action(world, cases.case, "School A", 8)
    action(world, cases.case, "School A", -3, status=ActionStatus.DONE)
    action(world, cases.case, "School A", 1, status=ActionStatus.CANCELLED)
    PathwayAction.objects.create(
        case=cases.case,
        description="No date.",
        owner_organisation=org_named("School A"),
        created_by=world.coordinator,
    )
    Case.objects.filter(pk=cases.case.pk).update(next_review_on=TODAY + datetime.timedelta(days=8))
    Case.objects.filter(pk=cases.other.pk).update(
        status=CaseStatus.CLOSED, closure_reason=ClosureReason.POSITIVE, next_review_on=TODAY
    )
    action(world, cases.other, "Prevention A", 0)
    assert reminders_run(today=TODAY) == {}
    assert not Notification.objects.exists() and not mailoutbox


def test_ended_memberships_get_nothing(world: World, cases: CaseWorld) -> None:
    membership = world.membership(world.partner1)
    membership.ended_at = timezone.now()
    membership.save()
    action(world, cases.case, "School A", 1)
    assert reminders_run(today=TODAY) == {}


def test_the_daily_job_is_registered(world: World, cases: CaseWorld, mailoutbox) -> None:
    names = {job.name: job for job in jobs()}
    job = names["casus.cases.tasks.send_reminders"]
    assert job.every == "daily"
    action(world, cases.case, "School A", 1)
    PathwayAction.objects.update(due_on=timezone.localdate())
    send_reminders.call()
    assert Notification.objects.filter(user=world.partner1).count() == 1


# --- The notifications page --------------------------------------------------------------------


def test_notifications_page_lists_and_marks_read(world: World, cases: CaseWorld) -> None:
    action(world, cases.case, "School A", -1)
    Case.objects.filter(pk=cases.case.pk).update(next_review_on=TODAY)
    reminders_run(today=TODAY)
    Notification.objects.create(
        user=world.partner1, cell=world.cell_b, kind=REVIEW_DUE, reference="OTHER-CELL", key="x"
    )
    Notification.objects.create(
        user=world.partner2, cell=world.cell_a, kind=REVIEW_DUE, reference="NOT-MINE", key="y"
    )
    client = ready_client(world.partner1)
    page = client.get(reverse("core:notifications")).content.decode()
    ref = cases.case.reference
    assert f"An action of case {ref} is overdue." in page
    assert f"Case {ref} is due for review." in page
    assert "OTHER-CELL" not in page and "NOT-MINE" not in page
    assert "2 unread notifications" in page
    assert client.get(reverse("core:notifications_read")).status_code == 405
    response = client.post(reverse("core:notifications_read"))
    assert response.status_code == 302
    mine = Notification.objects.filter(user=world.partner1, cell=world.cell_a)
    assert not mine.filter(read_at__isnull=True).exists()
    # Other cells' and other people's notices are untouched.
    assert Notification.objects.get(key="x").read_at is None
    assert Notification.objects.get(key="y").read_at is None
    page = client.get(reverse("core:notifications")).content.decode()
    assert "Mark all as read" not in page


def test_notifications_page_empty(world: World) -> None:
    response = ready_client(world.strategic).get(reverse("core:notifications"))
    assert response.status_code == 200
    assert "You have no notifications." in response.content.decode()


def test_unknown_kinds_are_shown_neutrally(world: World) -> None:
    Notification.objects.create(user=world.chair, cell=world.cell_a, kind="new_thing", key="z")
    page = ready_client(world.chair).get(reverse("core:notifications")).content.decode()
    assert "You have a new notice." in page
