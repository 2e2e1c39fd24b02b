"""The demo's meetings of the operational table, built through the real meeting services.

A past meeting (three weeks ago) with attendance, art. 458ter confirmations, approved minutes,
a decision that became a pathway action on Amber's case and a feedback sheet that everyone
present approved and that was sent (entered in the register); one more register entry (a PV
reference from the police); and next week's meeting, its agenda proposed from the data and
published (window grants, invitations by e-mail to the configured mailer).

Everything is fictional. Each write goes through a service in ``casus.meetings.services``
acting as one of the demo people: the coordinator prepares and keeps the minutes, the mayor
chairs, the information officer drafts and sends the feedback sheet. A meeting is held only
"now" for the services (they stamp its start and end with the current time, and the window
grants, confirmations and approvals need a meeting in session), so the past meeting is held
now and then only the timestamps of its Meeting row are moved back (audit rows are never
touched). Its window grants keep the end the service gave them (seven days from the demo's
load).

``build_meetings`` runs once per cell: only while the cell has no meeting yet.
"""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from casus.access.models import Cell, Membership, Organisation, Table, TableKind, User
from casus.access.rules import forget_case_contexts
from casus.cases.identity import name_key
from casus.cases.models import Case
from casus.meetings.models import (
    AgendaItem,
    Counterpart,
    Direction,
    FeedbackSheet,
    ItemKind,
    LegalBasis,
    Meeting,
    Vote,
)
from casus.meetings.selectors.meetings import agenda_proposal_for
from casus.meetings.services import feedback, minutes, register
from casus.meetings.services import meetings as services

from .cases import AMBER, MILAN, Subject

CHAIR = "chair"
COORDINATOR = "coordinator"
OFFICER = "information_officer"
SCHOOL = "member_school"
OCMW = "member_ocmw"

OCMW_ORG = "OCMW Demostad"
PLACE = "Stadhuis Demostad, vergaderzaal De Schelde"
#: The past meeting was held this many days ago; the next one is this many days ahead.
PAST_DAYS, NEXT_DAYS = 21, 7


def build_meetings(cell: Cell, people: Mapping[str, User]) -> bool:
    """Create the demo's past and upcoming meetings; return False when the cell already has
    meetings, or has no demo cases yet (a re-run adds nothing)."""
    if Meeting.objects.filter(cell=cell).exists():
        return False
    amber = _case_of(cell, AMBER)
    table = Table.objects.filter(cell=cell, kind=TableKind.OPERATIONAL, is_active=True).first()
    if amber is None or table is None:
        return False
    demo = _Meetings(cell, people, table)
    demo.past_meeting(amber)
    demo.next_meeting()
    return True


def _case_of(cell: Cell, subject: Subject) -> Case | None:
    """The newest case of a demo person, found by the keyed hash of the name (names are sealed)."""
    key = name_key(
        cell_id=cell.pk, family_name=subject.family_name, given_names=subject.given_names
    )
    return Case.objects.filter(cell=cell, name_key=key).order_by("-opened_at").first()


class _Meetings:
    def __init__(self, cell: Cell, people: Mapping[str, User], table: Table) -> None:
        self.cell = cell
        self.people = people
        self.table = table
        self.today = timezone.localdate()

    def who(self, key: str) -> User:
        """The demo person ``key``, with no cached rights (grants change as we go)."""
        user = self.people[key]
        forget_case_contexts(user)
        return user

    def membership(self, key: str) -> Membership:
        return Membership.objects.current().get(user=self.people[key], cell=self.cell)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def fresh(self, meeting: Meeting) -> Meeting:
        return Meeting.objects.get(pk=meeting.pk)

    def create(self, starts_at: datetime) -> Meeting:
        return services.meeting_create(
            actor=self.who(COORDINATOR),
            cell=self.cell,
            table=self.table,
            starts_at=starts_at,
            duration_minutes=120,
            place=PLACE,
            video_link="",
            chaired_by=self.people[CHAIR],
            secretary=self.people[COORDINATOR],
        )

    def policy_item(self, meeting: Meeting, title: str) -> AgendaItem:
        item = services.agenda_item_add(
            actor=self.who(COORDINATOR), meeting=meeting, kind=ItemKind.POLICY, title=title
        )
        services.invitations_default(actor=self.who(COORDINATOR), item=item)
        return item

    def publish(self, meeting: Meeting) -> Meeting:
        meeting = self.fresh(meeting)
        return services.meeting_publish(
            actor=self.who(COORDINATOR), meeting=meeting, version=meeting.version
        )

    # --- the past meeting ----------------------------------------------------------------

    def past_meeting(self, amber: Case) -> None:
        """Held "now" through the services, then its Meeting row moved back three weeks."""
        coordinator = self.who(COORDINATOR)
        meeting = self.create(timezone.now().replace(second=0, microsecond=0))
        case_item = services.agenda_item_add(
            actor=coordinator, meeting=meeting, kind=ItemKind.REVIEW, case=amber
        )
        for key in (SCHOOL, OCMW, OFFICER):
            services.invitation_add(
                actor=self.who(COORDINATOR), item=case_item, membership=self.membership(key)
            )
        policy = self.policy_item(
            meeting, "Afspraken met de scholen over signalen tijdens de examenperiode"
        )
        meeting = self.publish(meeting)
        meeting = services.meeting_start(
            actor=self.who(COORDINATOR), meeting=meeting, version=meeting.version
        )

        # Attendance (recorded by the secretary) and the art. 458ter confirmations.
        both = [case_item.pk, policy.pk]
        for key in (CHAIR, COORDINATOR, OFFICER, SCHOOL, OCMW):
            services.attendance_record(
                actor=self.who(COORDINATOR),
                meeting=meeting,
                user=self.people[key],
                present_for_items=both,
            )
        for key in (CHAIR, COORDINATOR, OFFICER, SCHOOL):
            services.secrecy_confirm(actor=self.who(key), meeting=meeting)
        services.secrecy_record(
            actor=self.who(COORDINATOR), meeting=meeting, user=self.people[OCMW]
        )

        # Decisions and minutes.
        review_on = self.today + timedelta(days=NEXT_DAYS)
        minutes.decision_record(
            actor=self.who(COORDINATOR),
            item=case_item,
            text=(
                "Het traject loopt goed en wordt voortgezet. Het OCMW dient de aanvraag voor "
                "begeleiding van de jongere broers in; opnieuw bespreken op de volgende tafel."
            ),
            action_description="Aanvraag gezinsbegeleiding voor de broers indienen bij het CAW",
            owner_organisation=Organisation.objects.get(cell=self.cell, name=OCMW_ORG),
            due_on=self.today + timedelta(days=14),
            next_review_on=review_on,
        )
        minutes.decision_record(
            actor=self.who(COORDINATOR),
            item=policy,
            text=(
                "De coördinator bezorgt de scholen een korte fiche: signalen tijdens de "
                "examens gaan zoals altijd via de leerlingenbegeleiding naar de cel."
            ),
        )
        self.write_minutes(
            case_item,
            "Sara School: aanwezigheid in november 96 %, Amber werkt mee aan de wekelijkse "
            "gesprekken. Olivier OCMW: de schuldbemiddeling loopt; de moeder vroeg hulp voor "
            "de jongere broers. Ivo Informatie: geen nieuwe feiten sinds het contactverbod met "
            "de onbekende volwassene. Besluit: traject voortzetten, aanvraag voor de broers "
            "indienen, opnieuw bespreken op de volgende tafel.",
        )
        self.write_minutes(
            policy,
            "Bespreking van de signalen die scholen tijdens de examenperiode opmerken. Geen "
            "aparte procedure: de leerlingenbegeleiding blijft het aanspreekpunt. De "
            "coördinator maakt een korte fiche voor de scholen.",
        )
        meeting = self.fresh(meeting)
        meeting = services.meeting_end(
            actor=self.who(COORDINATOR), meeting=meeting, version=meeting.version
        )
        present = (CHAIR, COORDINATOR, OFFICER, SCHOOL, OCMW)
        for item in AgendaItem.objects.filter(meeting=meeting):
            minutes.minutes_propose(actor=self.who(COORDINATOR), item=item)
            for key in present:
                # A fresh item each time: its access is read from the meeting as it is now.
                minutes.minutes_approve(
                    actor=self.who(key), item=AgendaItem.objects.get(pk=item.pk)
                )

        # The feedback sheet to the local task force: everyone present approves, then sent.
        case_item = AgendaItem.objects.get(pk=case_item.pk)
        sheet = feedback.feedback_draft(
            actor=self.who(OFFICER),
            item=case_item,
            reason=(
                "De LTF volgt de onbekende volwassene op die Amber contacteerde; de cel "
                "koppelt terug over de evolutie van het traject."
            ),
            cell_assessment=(
                "Positieve evolutie: het contact met de volwassene is gestopt, de "
                "schoolaanwezigheid is stabiel en er is een zinvolle vrijetijdsbesteding."
            ),
            measures="Wekelijkse gesprekken op school, gezinsondersteuning via het OCMW.",
            request="Meld aan de cel als de volwassene opnieuw contact zoekt met minderjarigen.",
            contact="Kim Coördinator, preventiedienst Demostad",
        )
        feedback.feedback_submit(actor=self.who(OFFICER), sheet=sheet)
        for key in present:
            feedback.feedback_vote(
                actor=self.who(key),
                sheet=FeedbackSheet.objects.get(pk=sheet.pk),
                vote=Vote.APPROVE,
            )
        feedback.feedback_mark_sent(
            actor=self.who(OFFICER),
            sheet=FeedbackSheet.objects.get(pk=sheet.pk),
            sent_on=self.today - timedelta(days=PAST_DAYS - 2),
            sent_to="LTF Demoland, lokale contactpersoon politiezone",
        )

        # An incoming reference from the police (fictional PV number, no police content).
        register.exchange_record(
            actor=self.who(OFFICER),
            cell=self.cell,
            direction=Direction.INCOMING,
            counterpart=Counterpart.POLICE,
            counterpart_detail="Politiezone Demostad-Voorbeeldegem, lokale recherche",
            occurred_on=self.today - timedelta(days=PAST_DAYS + 3),
            legal_basis=LegalBasis.POLICE_ACT,
            legal_basis_detail="",
            reference="PV 2026/1234",
            subject="Proces-verbaal over een pakketje van een onbekende afzender (referentie).",
            case=amber,
        )
        self.move_back(meeting)

    def write_minutes(self, item: AgendaItem, text: str) -> None:
        item = AgendaItem.objects.get(pk=item.pk)
        minutes.minutes_save(
            actor=self.who(COORDINATOR), item=item, minutes=text, version=item.version
        )

    def move_back(self, meeting: Meeting) -> None:
        """The services stamp a meeting's course with the current time and take no dates for
        it: move the Meeting row's own timestamps back (audit rows keep their own times)."""
        day = self.today - timedelta(days=PAST_DAYS)
        starts_at = self.at(day, 14)
        Meeting.objects.filter(pk=meeting.pk).update(
            created_at=self.at(day - timedelta(days=14), 9, 30),
            published_at=self.at(day - timedelta(days=7), 10),
            starts_at=starts_at,
            started_at=starts_at + timedelta(minutes=3),
            ended_at=starts_at + timedelta(minutes=115),
        )

    # --- the upcoming meeting -------------------------------------------------------------

    def next_meeting(self) -> None:
        """Next week: the agenda the data propose, a policy item, published."""
        meeting = self.create(self.at(self.today + timedelta(days=NEXT_DAYS), 14))
        for proposal in agenda_proposal_for(actor=self.who(COORDINATOR), meeting=meeting):
            item = services.agenda_item_add(
                actor=self.who(COORDINATOR),
                meeting=meeting,
                kind=proposal.kind,
                case=proposal.case,
            )
            services.invitations_default(actor=self.who(COORDINATOR), item=item)
            ocmw = self.membership(OCMW)
            if (
                proposal.case.subject_family_name == MILAN.family_name
                and not item.invitations.filter(membership=ocmw).exists()
            ):
                # The OCMW is not on Milan's case: invited, it reads his dossier in the window.
                services.invitation_add(actor=self.who(COORDINATOR), item=item, membership=ocmw)
        self.policy_item(meeting, "Jaarplan preventie polarisatie: voorstel voor de scholen")
        self.publish(meeting)
