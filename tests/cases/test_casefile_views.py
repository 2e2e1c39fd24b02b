"""Case-file pages: overview, participants, summary, journal; 404s, access log, query counts."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casus.access.models import User
from casus.access.rules import forget_case_contexts
from casus.audit.models import AccessKind, AccessLog
from casus.cases.models import (
    JournalEntry,
    Participation,
    ScreeningOutcome,
    SignalStatus,
    Visibility,
)
from tests.conftest import World, ready_client
from tests.factories import OrganisationFactory

from .conftest import CaseWorld
from .factories import JournalEntryFactory, SignalFactory, participate
from .helpers import CASE_READERS, CASE_WRITERS, edit_entry, personal_grant, write_entry

pytestmark = pytest.mark.django_db

NO_CASE_ROLE = ["strategic", "dpo", "cell_admin", "member_b"]


def url(name: str, cases: CaseWorld, *args: int) -> str:
    return reverse(f"cases:{name}", args=[cases.case.pk, *args])


def logs(user: User, kind: str) -> int:
    return AccessLog.objects.filter(actor=user, kind=kind).count()


def assert_conflict_shown(response: HttpResponse, *texts: str) -> None:
    """The refused form is shown again beside what is stored (``texts`` on the page) and now
    carries version 2, so that saving over it is a deliberate choice."""
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="compare"' in page
    for text in texts:
        assert text in page, text
    assert 'name="version" value="2"' in page


# --- Overview ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CASE_READERS)
def test_overview_is_shown_and_logged(world: World, cases: CaseWorld, who: str) -> None:
    user = getattr(world, who)
    response = ready_client(user).get(url("detail", cases))
    assert response.status_code == 200
    page = response.content.decode()
    assert cases.case.reference in page
    assert "Coordinator&#x27;s summary." in page
    assert "School A" in page
    log = AccessLog.objects.get(actor=user, kind=AccessKind.CASE)
    assert log.case_id == cases.case.pk


@pytest.mark.parametrize("who", ["partner2", *NO_CASE_ROLE])
def test_overview_is_404_without_need_to_know(world: World, cases: CaseWorld, who: str) -> None:
    user = getattr(world, who)
    client = ready_client(user)
    for name in ("detail", "journal", "attachments", "summary_edit"):
        assert client.get(url(name, cases)).status_code == 404
    assert not AccessLog.objects.filter(actor=user).exists()


def test_missing_case_is_404(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404
    assert client.get(reverse("cases:journal_edit", args=[cases.case.pk, 999999])).status_code == (
        404
    )


def test_overview_shows_signals_without_anonymous_sources(world: World, cases: CaseWorld) -> None:
    SignalFactory(
        cell=world.cell_a,
        case=cases.case,
        reported_by=None,
        entered_by=world.coordinator,
        source_anonymous=True,
        source_description="A worried neighbour",
        status=SignalStatus.RETAINED,
        screening_outcome=ScreeningOutcome.PROPOSED,
        screening_summary="Clear signs; proposed.",
        decided_at=timezone.now(),
        decision_note="On the list.",
    )
    SignalFactory(cell=world.cell_a, case=cases.case, reported_by=world.partner1)
    for user in (world.chair, world.partner1):
        page = ready_client(user).get(url("detail", cases)).content.decode()
        assert "Clear signs; proposed." in page
        assert "On the list." in page
        assert "A worried neighbour" not in page
        assert "Anonymous source" in page
    for user in (world.coordinator, world.information_officer):
        page = ready_client(user).get(url("detail", cases)).content.decode()
        assert "A worried neighbour" in page


def test_overview_shows_participation_history(world: World, cases: CaseWorld) -> None:
    coordinator = ready_client(world.coordinator)
    ocmw = world.membership(world.partner2).organisation
    response = coordinator.post(
        url("participant_add", cases),
        {"add-organisation": ocmw.pk, "add-reason": "Follows the family."},
    )
    assert response.status_code == 302
    participation = Participation.objects.get(organisation=ocmw)
    forget_case_contexts(world.partner2)
    assert ready_client(world.partner2).get(url("detail", cases)).status_code == 200
    response = coordinator.post(
        url("participant_revoke", cases, participation.pk),
        {f"revoke-{participation.pk}-reason": "No longer involved."},
    )
    assert response.status_code == 302
    page = coordinator.get(url("detail", cases)).content.decode()
    assert "Follows the family." in page
    assert "No longer involved." in page
    assert "Coordinator A" in page
    assert "Ended" in page
    # From the revocation on, the OCMW's members get 404 everywhere.
    client = ready_client(world.partner2)
    for name in ("detail", "journal", "attachments"):
        assert client.get(url(name, cases)).status_code == 404


def test_participant_forms_refuse_with_messages(world: World, cases: CaseWorld) -> None:
    chair = ready_client(world.chair)
    # Invalid form: the page again with the error, logged as a read.
    response = chair.post(url("participant_add", cases), {"add-reason": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert logs(world.chair, AccessKind.CASE) == 1
    # The lead partner's participation cannot be revoked while it leads.
    participation = cases.case.participations.get()
    response = chair.post(
        url("participant_revoke", cases, participation.pk),
        {f"revoke-{participation.pk}-reason": "x"},
    )
    assert response.status_code == 200
    assert "lead partner" in response.content.decode()
    assert Participation.objects.get(pk=participation.pk).is_active
    # A participation of another case is not found.
    other = participate(cases.other, world.membership(world.partner2).organisation, world.chair)
    assert (
        chair.post(
            url("participant_revoke", cases, other.pk), {f"revoke-{other.pk}-reason": "x"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["information_officer", "partner1", "partner2", *NO_CASE_ROLE])
def test_participant_views_404_for_others(world: World, cases: CaseWorld, who: str) -> None:
    client = ready_client(getattr(world, who))
    ocmw = world.membership(world.partner2).organisation
    participation = cases.case.participations.get()
    assert (
        client.post(
            url("participant_add", cases), {"add-organisation": ocmw.pk, "add-reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            url("participant_revoke", cases, participation.pk),
            {f"revoke-{participation.pk}-reason": "x"},
        ).status_code
        == 404
    )
    assert client.post(url("lead_set", cases), {"lead-version": 1}).status_code == 404
    assert client.get(url("participant_add", cases)).status_code in {404, 405}
    assert Participation.objects.count() == 1


def test_lead_set_view(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    response = client.post(url("lead_set", cases), {"lead-organisation": "", "lead-version": 1})
    assert response.status_code == 302
    cases.case.refresh_from_db()
    assert cases.case.lead_organisation is None
    # A stale version: nothing changes, the page says why.
    school = world.membership(world.partner1).organisation
    response = client.post(
        url("lead_set", cases), {"lead-organisation": school.pk, "lead-version": 1}, follow=True
    )
    assert "Someone else changed this meanwhile" in response.content.decode()
    cases.case.refresh_from_db()
    assert cases.case.lead_organisation is None


def test_summary_edit_view_and_conflict(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    assert client.get(url("summary_edit", cases)).status_code == 200
    assert ready_client(world.chair).get(url("summary_edit", cases)).status_code == 404
    response = client.post(url("summary_edit", cases), {"summary": "Version two.", "version": 1})
    assert response.status_code == 302
    # A second editor who started from version 1.
    response = client.post(
        url("summary_edit", cases), {"summary": "My unsaved summary.", "version": 1}
    )
    assert_conflict_shown(response, "My unsaved summary.", "Version two.")
    cases.case.refresh_from_db()
    assert cases.case.summary == "Version two."


# --- Journal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CASE_WRITERS)
def test_journal_is_shown_and_logged(world: World, cases: CaseWorld, who: str) -> None:
    user = getattr(world, who)
    JournalEntryFactory(case=cases.case, author=world.partner1, text="A shared note.")
    response = ready_client(user).get(url("journal", cases))
    assert response.status_code == 200
    assert "A shared note." in response.content.decode()
    log = AccessLog.objects.get(actor=user, kind=AccessKind.JOURNAL)
    assert log.case_id == cases.case.pk


def test_chair_reads_the_journal_only_with_a_personal_grant(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.chair)
    assert client.get(url("journal", cases)).status_code == 404
    personal_grant(cases.case, world.chair, dossier=True)
    response = client.get(url("journal", cases))
    assert response.status_code == 200
    # The chair reads, never writes.
    assert 'name="text"' not in response.content.decode()
    assert client.post(url("journal", cases), {"text": "x"}).status_code == 404


def test_journal_add_entry(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    page = client.get(url("journal", cases)).content.decode()
    assert 'value="police"' not in page
    response = client.post(
        url("journal", cases),
        {
            "occurred_on": timezone.localdate().isoformat(),
            "text": "Met the pupil.",
            "visibility": "all",
            "for_meeting": "on",
        },
    )
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    assert entry.for_meeting
    assert entry.author == world.partner1
    # A police-only entry is not offered, and refused if forced.
    response = client.post(
        url("journal", cases),
        {"occurred_on": timezone.localdate().isoformat(), "text": "x", "visibility": "police"},
    )
    assert response.status_code == 200
    assert JournalEntry.objects.count() == 1
    officer_page = ready_client(world.information_officer).get(url("journal", cases))
    assert 'value="police"' in officer_page.content.decode()


def test_journal_visibility_matrix(world: World, cases: CaseWorld) -> None:
    police = world.membership(world.information_officer).organisation
    participate(cases.case, police, world.coordinator)
    participate(cases.case, world.membership(world.partner2).organisation, world.coordinator)
    agent = User.objects.create(full_name="Agent A", email="agent@a.example.be", language="en")
    from tests.factories import MembershipFactory

    MembershipFactory(user=agent, cell=world.cell_a, organisation=police, role="member")
    texts = {
        "school-own": (world.partner1, Visibility.OWN_ORGANISATION),
        "coordinator-own": (world.coordinator, Visibility.OWN_ORGANISATION),
        "police-only": (world.information_officer, Visibility.POLICE),
        "shared": (world.partner2, Visibility.ALL),
    }
    for text, (author, visibility) in texts.items():
        JournalEntryFactory(case=cases.case, author=author, text=text, visibility=visibility)
    personal_grant(cases.case, world.chair, dossier=True)
    expected = {
        world.partner1: {"school-own", "shared"},
        world.partner2: {"shared"},
        world.coordinator: {"coordinator-own", "shared"},
        world.information_officer: {"police-only", "shared"},
        world.chair: {"police-only", "shared"},
        agent: {"police-only", "shared"},
    }
    for user, visible in expected.items():
        page = ready_client(user).get(url("journal", cases)).content.decode()
        assert {text for text in texts if text in page} == visible, user


def test_journal_edit_only_by_the_author(world: World, cases: CaseWorld) -> None:
    entry = write_entry(world.partner1, cases.case)
    edit = url("journal_edit", cases, entry.pk)
    for user in (world.coordinator, world.information_officer, world.partner2, world.chair):
        assert ready_client(user).get(edit).status_code == 404
    client = ready_client(world.partner1)
    assert client.get(edit).status_code == 200
    journal_page = client.get(url("journal", cases)).content.decode()
    assert edit in journal_page
    assert edit not in ready_client(world.coordinator).get(url("journal", cases)).content.decode()
    response = client.post(
        edit,
        {
            "occurred_on": entry.occurred_on.isoformat(),
            "text": "Second wording.",
            "visibility": "all",
            "version": 1,
        },
    )
    assert response.status_code == 302
    history = client.get(url("journal_history", cases, entry.pk)).content.decode()
    assert "First wording." in history
    assert "Second wording." in history


def test_journal_edit_conflict_shows_both_versions(world: World, cases: CaseWorld) -> None:
    entry = write_entry(world.partner1, cases.case)
    # Another tab saved version 2 meanwhile.
    edit_entry(world.partner1, entry, "Saved in the other tab.")
    response = ready_client(world.partner1).post(
        url("journal_edit", cases, entry.pk),
        {
            "occurred_on": entry.occurred_on.isoformat(),
            "text": "My unsaved wording.",
            "visibility": "all",
            "version": 1,
        },
    )
    assert_conflict_shown(
        response,
        "My unsaved wording.",
        "Saved in the other tab.",
        "Someone else changed this meanwhile",
    )
    entry.refresh_from_db()
    assert entry.text == "Saved in the other tab."


def test_history_hides_earlier_wordings_the_reader_may_not_see(
    world: World, cases: CaseWorld
) -> None:
    entry = write_entry(
        world.partner1, cases.case, "Only for the school.", Visibility.OWN_ORGANISATION
    )
    edit_entry(world.partner1, entry, "Now for everyone.")
    history = url("journal_history", cases, entry.pk)
    coordinator = ready_client(world.coordinator).get(history)
    assert coordinator.status_code == 200
    assert "Now for everyone." in coordinator.content.decode()
    assert "Only for the school." not in coordinator.content.decode()
    assert "Only for the school." in ready_client(world.partner1).get(history).content.decode()
    assert AccessLog.objects.filter(actor=world.coordinator, kind=AccessKind.JOURNAL).exists()
    # An entry the reader may not read at all: 404.
    own = JournalEntryFactory(
        case=cases.case, author=world.partner1, visibility=Visibility.OWN_ORGANISATION
    )
    assert ready_client(world.coordinator).get(
        url("journal_history", cases, own.pk)
    ).status_code == (404)


def test_journal_404_after_revocation(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    assert client.get(url("journal", cases)).status_code == 200
    Participation.objects.filter(case=cases.case).update(revoked_at=timezone.now())
    from casus.cases.services.common import revoke_grants

    revoke_grants(source=cases.case.participations.get())
    for name in ("detail", "journal", "attachments"):
        assert client.get(url(name, cases)).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def _count(client, path: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_overview_queries_do_not_grow(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.coordinator)
    client.get(url("detail", cases))  # warm caches (session, statement)

    def grow(n: int) -> None:
        for _ in range(n):
            i = Participation.objects.count()
            organisation = OrganisationFactory(cell=world.cell_a, name=f"Partner {i}")
            participation = participate(cases.case, organisation, world.coordinator)
            if i % 2:
                participation.revoked_at = timezone.now()
                participation.revoked_by = world.chair
                participation.revoke_reason = "Done."
                participation.save()
            SignalFactory(cell=world.cell_a, case=cases.case, reported_by=world.partner1)

    grow(2)
    small = _count(client, url("detail", cases))
    grow(18)
    assert _count(client, url("detail", cases)) == small


def test_journal_queries_do_not_grow(world: World, cases: CaseWorld) -> None:
    client = ready_client(world.partner1)
    client.get(url("journal", cases))

    def grow(n: int) -> None:
        for _ in range(n):
            entry = write_entry(world.partner1, cases.case, "Note.")
            edit_entry(world.partner1, entry, "Note, edited.", for_meeting=True)
            JournalEntryFactory(case=cases.case, author=world.coordinator)

    grow(2)
    small = _count(client, url("journal", cases))
    grow(18)
    assert _count(client, url("journal", cases)) == small
    assert JournalEntry.objects.count() == 40


def test_a_hidden_earlier_version_is_not_even_counted(world: World, cases: CaseWorld) -> None:
    """Police-only at first, then for everyone: the coordinator reads the entry, but nothing
    tells them that an earlier (police-only) wording exists — no count, no version number."""
    officer = world.information_officer
    entry = write_entry(officer, cases.case, "Police-only wording.", Visibility.POLICE)
    edit_entry(officer, entry, "Wording for everyone.")
    history_url = url("journal_history", cases, entry.pk)
    coordinator = ready_client(world.coordinator)
    journal = coordinator.get(url("journal", cases)).content.decode()
    assert "Wording for everyone." in journal
    assert "earlier version" not in journal
    assert history_url not in journal
    history = coordinator.get(history_url)
    assert history.status_code == 200
    page = history.content.decode()
    assert "Wording for everyone." in page
    assert "Police-only wording." not in page
    assert "Current version (" not in page
    assert "Version 1" not in page
    assert "Version 2" not in page
    # The officer, who may read the earlier wording, is told about it and sees it.
    officer_client = ready_client(officer)
    assert (
        "Edited (1 earlier version)" in officer_client.get(url("journal", cases)).content.decode()
    )
    assert "Police-only wording." in officer_client.get(history_url).content.decode()


def test_only_readable_earlier_versions_are_counted(world: World, cases: CaseWorld) -> None:
    """For everyone, then police-only, then for everyone again: the coordinator is told of one
    earlier version (the first), and the history shows no numbers that betray the gap."""
    officer = world.information_officer
    entry = write_entry(officer, cases.case, "First, for everyone.")
    for version, (text, visibility) in enumerate(
        [("Second, police only.", Visibility.POLICE), ("Third, for everyone.", Visibility.ALL)],
        start=1,
    ):
        entry = edit_entry(officer, entry, text, visibility, version=version)
    coordinator = ready_client(world.coordinator)
    journal = coordinator.get(url("journal", cases)).content.decode()
    assert "Edited (1 earlier version)" in journal
    page = coordinator.get(url("journal_history", cases, entry.pk)).content.decode()
    assert "First, for everyone." in page
    assert "Second, police only." not in page
    assert "Version 1" not in page
    assert "Current version (" not in page
    officer_journal = ready_client(officer).get(url("journal", cases)).content.decode()
    assert "Edited (2 earlier versions)" in officer_journal


def test_who_edits_an_entry_is_the_rules_decision(
    world: World, cases: CaseWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``CaseContext.may_edit_entry`` alone decides: when it says no, even the author gets no
    edit link, a 404 on the edit page and a refusal from the service."""
    from casus.access.rules import CaseContext
    from casus.core.exceptions import Forbidden

    entry = write_entry(world.partner1, cases.case)
    edit = url("journal_edit", cases, entry.pk)
    asked: list[int] = []

    def nobody(self: CaseContext, author_id: int) -> bool:
        asked.append(author_id)
        return False

    monkeypatch.setattr(CaseContext, "may_edit_entry", nobody)
    forget_case_contexts(world.partner1)
    client = ready_client(world.partner1)
    assert edit not in client.get(url("journal", cases)).content.decode()
    assert client.get(edit).status_code == 404
    with pytest.raises(Forbidden):
        edit_entry(world.partner1, entry, "Changed.")
    assert set(asked) == {world.partner1.pk}
    entry.refresh_from_db()
    assert entry.text == "First wording."
