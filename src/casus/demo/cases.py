"""The demo's signals and cases: every state of product.md §3, built through the real services.

Everything here is fictional: the persons, their birth dates and what they did. Each write goes
through a service in ``casus.cases.services`` acting as one of the demo people, so the change
log holds the same rows a real cell would. Services take no dates for when a signal arrived or
a case was opened; those two timestamps alone are moved back afterwards so the demo spreads
over the last months (audit rows are never touched).

``build_cases`` runs once per cell: only while the cell has no signal yet.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from casus.access.models import Cell, Municipality, Organisation, OrganisationKind, User
from casus.access.rules import forget_case_contexts
from casus.cases import attachments as storage
from casus.cases.models import (
    ActionStatus,
    Case,
    CaseStatus,
    ClosureReason,
    Goal,
    JournalEntry,
    LifeDomain,
    PathwayAction,
    ScenarioKind,
    ScenarioTemplate,
    ScreeningOutcome,
    Signal,
    Visibility,
)
from casus.cases.services import casefile, followup, lifecycle, signals
from casus.demo.socialmap import demo_referral_offer_id

# The demo people who act here (keys of ``loader.PEOPLE``).
CHAIR = "chair"
COORDINATOR = "coordinator"
OFFICER = "information_officer"
SCHOOL = "member_school"
OCMW = "member_ocmw"

SCHOOL_ORG = "Sint-Jozefcollege Demostad"
OCMW_ORG = "OCMW Demostad"
YOUTH_ORG = "Jeugddienst Demostad"
HEALTH_ORG = "Centrum Geestelijke Gezondheidszorg Demoland"


@dataclass(frozen=True)
class Subject:
    """A fictional person: no resemblance to anyone is intended."""

    family_name: str
    given_names: str
    birth_date: date
    municipality: str  # "Demostad" or "Voorbeeldegem"


MILAN = Subject("Verhaeghebeek", "Milan", date(2010, 3, 14), "Demostad")
JENS = Subject("Moerdijckx", "Jens", date(1988, 7, 30), "Voorbeeldegem")
AMBER = Subject("Lauwerysen", "Amber", date(2009, 9, 2), "Demostad")
THIBAULT = Subject("Peeterbroeck", "Thibault", date(2005, 1, 22), "Voorbeeldegem")
SVEN = Subject("Hoebrechts", "Sven", date(2009, 6, 11), "Demostad")
RUBEN = Subject("Van Gansbeke", "Ruben", date(1997, 12, 3), "Voorbeeldegem")
KEVIN = Subject("Vanhoutteghem", "Kevin", date(2004, 4, 17), "Demostad")
DRIES = Subject("Wauterickx", "Dries", date(2011, 5, 19), "Demostad")
ELIAS = Subject("Ghysbrecht", "Elias", date(2001, 11, 8), "Voorbeeldegem")
FEMKE = Subject("Roelandts", "Femke", date(2010, 2, 27), "Demostad")


def build_cases(cell: Cell, people: Mapping[str, User]) -> bool:
    """Create the demo's scenarios, signals and cases; return False when the cell already has
    signals (a re-run adds nothing)."""
    if Signal.objects.filter(cell=cell).exists():
        return False
    demo = _Demo(cell, people)
    try:
        demo.build()
    except BaseException:
        demo.discard_files()
        raise
    return True


class _Demo:
    def __init__(self, cell: Cell, people: Mapping[str, User]) -> None:
        self.cell = cell
        self.people = people
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.orgs = {org.name: org for org in Organisation.objects.filter(cell=cell)}
        self.municipalities = {m.name: m for m in cell.municipalities.all()}
        self.domains = {d.code: d for d in LifeDomain.objects.filter(cell=cell)}
        self.stored: list[str] = []
        self.scenarios: dict[str, ScenarioTemplate] = {}

    # --- helpers ---------------------------------------------------------------------------

    def who(self, key: str) -> User:
        """The demo person ``key``, with no cached rights (grants change as we go)."""
        user = self.people[key]
        forget_case_contexts(user)
        return user

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def ahead(self, days: int) -> date:
        return self.today + timedelta(days=days)

    def org(self, name: str) -> Organisation:
        return self.orgs[name]

    @staticmethod
    def fresh(case: Case) -> Case:
        return Case.objects.get(pk=case.pk)

    def discard_files(self) -> None:
        for name in self.stored:
            storage.discard(name)

    def submit(
        self,
        reporter: str,
        subject: Subject,
        *,
        days_ago: int,
        observed_days_ago: int,
        behaviour: str,
        concern: str,
    ) -> Signal:
        signal = signals.signal_submit(
            actor=self.who(reporter),
            cell=self.cell,
            subject_family_name=subject.family_name,
            subject_given_names=subject.given_names,
            subject_birth_date=subject.birth_date,
            subject_municipality=self.municipalities.get(subject.municipality),
            observed_on=self.ago(observed_days_ago),
            observed_behaviour=behaviour,
            concern=concern,
        )
        self.received(signal, days_ago)
        return signal

    def received(self, signal: Signal, days_ago: int) -> None:
        """No service takes the arrival time: move it back (the audit row keeps its own)."""
        Signal.objects.filter(pk=signal.pk).update(received_at=self.now - timedelta(days=days_ago))

    def opened(self, case: Case, days_ago: int) -> None:
        """No service takes the opening time: move it back (the audit row keeps its own)."""
        Case.objects.filter(pk=case.pk).update(opened_at=self.now - timedelta(days=days_ago))

    def opinion(self, key: str, signal: Signal, text: str) -> Signal:
        return signals.signal_opinion_record(
            actor=self.who(key), signal=signal, opinion=text, version=signal.version
        )

    def screen(
        self,
        signal: Signal,
        *,
        coordinator: str,
        officer: str,
        outcome: str = ScreeningOutcome.PROPOSED,
        summary: str = "",
        referral: str = "",
        referred_offer_id: int | None = None,
    ) -> Signal:
        signal = self.opinion(COORDINATOR, signal, coordinator)
        signal = self.opinion(OFFICER, signal, officer)
        return signals.signal_screen(
            actor=self.who(COORDINATOR),
            signal=signal,
            outcome=outcome,
            summary=summary,
            referral=referral,
            referred_offer_id=referred_offer_id,
            version=signal.version,
        )

    def retain(self, signal: Signal, *, opened_days_ago: int, note: str = "") -> Case:
        signal = signals.signal_decide(
            actor=self.who(CHAIR), signal=signal, retain=True, note=note, version=signal.version
        )
        if signal.case is None:
            raise RuntimeError("a retained signal opened a case")  # not input: a broken invariant
        self.opened(signal.case, opened_days_ago)
        return self.fresh(signal.case)

    def step(self, case: Case, *targets: str) -> Case:
        for target in targets:
            case = lifecycle.case_progress(
                actor=self.who(COORDINATOR),
                case=case,
                target_status=target,
                version=self.fresh(case).version,
            )
        return case

    def take_part(self, key: str, case: Case, organisation: str, reason: str) -> None:
        casefile.participation_add(
            actor=self.who(key), case=case, organisation=self.org(organisation), reason=reason
        )

    def lead(self, case: Case, organisation: str) -> Case:
        return casefile.case_lead_set(
            actor=self.who(COORDINATOR),
            case=case,
            organisation=self.org(organisation),
            version=self.fresh(case).version,
        )

    def note(
        self,
        key: str,
        case: Case,
        days_ago: int,
        text: str,
        visibility: str = Visibility.ALL,
        *,
        for_meeting: bool = False,
    ) -> JournalEntry:
        return casefile.journal_entry_create(
            actor=self.who(key),
            case=case,
            text=text,
            visibility=visibility,
            occurred_on=self.ago(days_ago),
            for_meeting=for_meeting,
        )

    def assess(
        self, key: str, case: Case, summary: str, domains: Mapping[str, Mapping[str, Any]]
    ) -> None:
        latest = case.assessments.order_by("-version").first()
        followup.assessment_save(
            actor=self.who(key),
            case=case,
            summary=summary,
            domains={self.domains[code].pk: values for code, values in domains.items()},
            based_on_version=latest.version if latest is not None else 0,
        )

    def action(
        self,
        key: str,
        case: Case,
        description: str,
        owner: str,
        due_on: date | None,
        *,
        goal: Goal | None = None,
        status: str = "",
        status_by: str = COORDINATOR,
    ) -> PathwayAction:
        action = followup.action_create(
            actor=self.who(key),
            case=case,
            goal=goal,
            description=description,
            owner_organisation=self.org(owner),
            due_on=due_on,
        )
        if status:
            action = self.set_status(status_by, action, status)
        return action

    def set_status(self, key: str, action: PathwayAction, status: str) -> PathwayAction:
        return followup.action_status_set(
            actor=self.who(key), action=action, status=status, version=action.version
        )

    def close(self, key: str, case: Case, reason: str, evaluation: str, **extra: Any) -> Case:
        return lifecycle.case_close(
            actor=self.who(key),
            case=case,
            reason=reason,
            evaluation=evaluation,
            version=self.fresh(case).version,
            **extra,
        ).case

    def attach(
        self,
        key: str,
        case: Case,
        filename: str,
        content: bytes,
        content_type: str,
        description: str,
        visibility: str = Visibility.ALL,
        *,
        for_meeting: bool = False,
    ) -> None:
        # ``storage.Upload`` declares ``size`` writable; Django's file has it read-only.
        upload = cast(
            "storage.Upload", SimpleUploadedFile(filename, content, content_type=content_type)
        )
        attachment = casefile.attachment_upload(
            actor=self.who(key),
            case=case,
            uploaded_file=upload,
            visibility=visibility,
            description=description,
            for_meeting=for_meeting,
        )
        self.stored.append(attachment.storage_name)

    # --- the demo, oldest first (signal references follow the order of arrival) ------------

    def build(self) -> None:
        self.build_scenarios()
        self.case_closed_positive()
        kevin = self.case_to_reopen()
        self.case_in_evaluation()
        self.case_closed_moved_or_referred()
        amber = self.case_in_follow_up()
        self.signal_not_retained()
        self.case_in_discussion()
        self.signal_joined(amber)
        self.case_on_list()
        self.signal_proposed()
        self.case_reopened(kevin)
        self.signal_received()

    def build_scenarios(self) -> None:
        """The tactical table's scenario templates, one per kind."""
        d = self.domains
        templates: Sequence[tuple[str, str, str, str, list[dict[str, Any]]]] = [
            (
                ScenarioKind.PROACTIVE,
                "Proactief: weerbaarheid in klas en jeugdwerking",
                "Klasgroepen en jeugdwerkingen waar polariserende uitspraken opduiken",
                "Geen individuele casus: de groep versterken voor er iemand in beeld komt.",
                [
                    {
                        "domain": d["social"],
                        "goal": "Open gesprek over polarisatie in de groep.",
                        "action": "Workshop mediawijsheid en polarisatie in de klas organiseren",
                        "owner_kind": OrganisationKind.EDUCATION,
                        "due_in_days": 45,
                    },
                    {
                        "domain": d["online"],
                        "goal": "Jongeren herkennen online propaganda en weten waar ze "
                        "terechtkunnen.",
                        "action": "Vormingsmoment voor jeugdwerkers over online radicalisering",
                        "owner_kind": OrganisationKind.YOUTH,
                        "due_in_days": 60,
                    },
                ],
            ),
            (
                ScenarioKind.PREVENTIVE,
                "Preventief traject schoolgaande jongere",
                "Minderjarigen met beginnende signalen die nog naar school gaan",
                "Eerste signalen, nog geen vijandbeeld dat tot geweld aanzet. School en gezin "
                "staan centraal; de leidende partner volgt de acties op.",
                [
                    {
                        "domain": d["education_work"],
                        "goal": "Schoolloopbaan stabiliseren: aanwezigheid boven 90 %.",
                        "action": "Wekelijks opvolgingsgesprek met de leerlingenbegeleider",
                        "owner_kind": OrganisationKind.EDUCATION,
                        "due_in_days": 14,
                    },
                    {
                        "domain": d["family"],
                        "goal": "Ouders betrekken en ondersteunen in de opvoeding.",
                        "action": "Gezinsgesprek met de ouders plannen",
                        "owner_kind": OrganisationKind.OCMW,
                        "due_in_days": 21,
                    },
                    {
                        "domain": d["online"],
                        "goal": "Kritisch leren omgaan met online inhoud en contacten.",
                        "action": "Individuele begeleiding mediawijsheid",
                        "owner_kind": "",
                        "due_in_days": 30,
                    },
                    {
                        "domain": d["social"],
                        "goal": "Een positieve vrijetijdsbesteding met leeftijdsgenoten.",
                        "action": "",
                        "owner_kind": "",
                        "due_in_days": 30,
                    },
                ],
            ),
            (
                ScenarioKind.CURATIVE,
                "Curatief traject jongvolwassene",
                "Jongvolwassenen met een uitgesproken extremistisch wereldbeeld",
                "Het wereldbeeld is al gevormd: begeleiding door gespecialiseerde partners, "
                "aandacht voor psychisch welzijn, werk en wonen.",
                [
                    {
                        "domain": d["health"],
                        "goal": "Psychologische ondersteuning op maat.",
                        "action": "Aanmelding bij het Centrum Geestelijke Gezondheidszorg",
                        "owner_kind": OrganisationKind.HEALTH,
                        "due_in_days": 30,
                    },
                    {
                        "domain": d["convictions"],
                        "goal": "Een gesprekspartner die het wereldbeeld bevraagt zonder te "
                        "veroordelen.",
                        "action": "Contact leggen met de deradicaliseringsconsulent",
                        "owner_kind": OrganisationKind.PREVENTION,
                        "due_in_days": 30,
                    },
                    {
                        "domain": d["housing_income"],
                        "goal": "Stabiele woonst en inkomen.",
                        "action": "Recht op leefloon en woonbegeleiding nakijken",
                        "owner_kind": OrganisationKind.OCMW,
                        "due_in_days": 30,
                    },
                ],
            ),
            (
                ScenarioKind.REACTIVE,
                "Reactief: na een incident of bij vrijlating",
                "Personen na een gewelddadig incident, een veroordeling of een vrijlating",
                "Veiligheid eerst: afstemming met politie en justitie, daarna re-integratie.",
                [
                    {
                        "domain": d["justice"],
                        "goal": "Afstemming over de voorwaarden en wie wat opvolgt.",
                        "action": "Overleg met de justitieassistent",
                        "owner_kind": OrganisationKind.JUSTICE_HOUSE,
                        "due_in_days": 7,
                    },
                    {
                        "domain": d["family"],
                        "goal": "Veiligheid van het gezin en de omgeving.",
                        "action": "Veiligheidsoverleg met de politiezone",
                        "owner_kind": OrganisationKind.POLICE,
                        "due_in_days": 7,
                    },
                ],
            ),
        ]
        for kind, name, target_group, description, items in templates:
            self.scenarios[kind] = followup.scenario_create(
                actor=self.who(COORDINATOR),
                cell=self.cell,
                kind=kind,
                name=name,
                target_group=target_group,
                description=description,
                items=items,
            )

    def case_closed_positive(self) -> None:
        """Sven: a school's worry, a short pathway, closed with a positive evolution."""
        signal = self.submit(
            SCHOOL,
            SVEN,
            days_ago=175,
            observed_days_ago=178,
            behaviour=(
                "Sven zocht op de schoolcomputer herhaaldelijk naar schietpartijen op scholen in "
                "de Verenigde Staten en tekende in zijn cursus wapens met de namen van daders "
                "erbij. Tegen een medeleerling zei hij dat 'iemand deze school eens wakker moet "
                "schudden'."
            ),
            concern=(
                "Hij wordt al twee jaar gepest en lijkt zich te identificeren met de daders. "
                "We weten niet of het bij fantasie blijft."
            ),
        )
        signal = self.screen(
            signal,
            coordinator=(
                "Fascinatie voor schooldaders, gecombineerd met een krenking (pesten). Geen "
                "duidelijke ideologie, maar wel een vijandbeeld tegenover de school."
            ),
            officer=(
                "Niet gekend bij de politie. Geen wapens in het gezin geregistreerd. Akkoord "
                "om voor te stellen."
            ),
            summary=(
                "Leerling (17) met een fascinatie voor schietpartijen op scholen en een "
                "uitspraak die als dreiging kan worden opgevat; langdurig gepest."
            ),
        )
        case = self.retain(signal, opened_days_ago=168, note="Snel bespreken met de school.")
        self.take_part(COORDINATOR, case, SCHOOL_ORG, "Meldende school; Sven zit in het 5de jaar.")
        case = self.lead(case, SCHOOL_ORG)
        case = self.step(case, CaseStatus.IN_DISCUSSION, CaseStatus.FOLLOW_UP)
        self.note(
            SCHOOL,
            case,
            160,
            "Gesprek met Sven en zijn ouders. Sven schrok van de impact van zijn uitspraak en "
            "vertelde uitgebreid over het pesten. Het zorgteam neemt de pesterijen aan.",
        )
        goal = followup.goal_create(
            actor=self.who(SCHOOL),
            case=case,
            domain=self.domains["social"],
            text="Het pesten stopt en Sven vindt aansluiting bij een groep.",
        )
        self.action(
            SCHOOL,
            case,
            "No-blame-aanpak van het pesten in de klas",
            SCHOOL_ORG,
            self.ago(140),
            goal=goal,
            status=ActionStatus.DONE,
            status_by=SCHOOL,
        )
        self.action(
            SCHOOL,
            case,
            "Aanmelding bij het CGG voor begeleiding rond weerbaarheid",
            HEALTH_ORG,
            self.ago(130),
            status=ActionStatus.DONE,
        )
        followup.goal_update(
            actor=self.who(SCHOOL),
            goal=goal,
            version=goal.version,
            domain=goal.domain,
            text=goal.text,
            is_achieved=True,
        )
        followup.review_record(
            actor=self.who(COORDINATOR),
            case=case,
            held_on=self.ago(120),
            notes="Het pesten is gestopt; Sven speelt mee in de schoolband. Geen nieuwe signalen.",
            next_review_on=None,
        )
        case = self.step(case, CaseStatus.EVALUATION)
        self.close(
            COORDINATOR,
            case,
            ClosureReason.POSITIVE,
            "Na drie maanden geen nieuwe signalen; de fascinatie was een uiting van een "
            "krenking die nu is aangepakt. De school blijft alert via het gewone zorgbeleid.",
        )

    def case_to_reopen(self) -> Case:
        """Kevin: referred to regular care and closed; a new signal reopens it later."""
        signal = self.submit(
            OCMW,
            KEVIN,
            days_ago=170,
            observed_days_ago=172,
            behaviour=(
                "Kevin plaatste op Facebook een oproep om 'de moskee in de Stationsstraat eens "
                "te bezoeken met de mannen' en deelde racistische spreekkoren van een "
                "supportersgroep."
            ),
            concern=(
                "Kevin is werkloos, drinkt veel en zoekt steun in een groep die steeds "
                "vijandiger over moslims spreekt. Hij vertelde zijn maatschappelijk werker dat "
                "'er iets gaat gebeuren'."
            ),
        )
        signal = self.screen(
            signal,
            coordinator="Vijandbeeld en een oproep die als dreiging kan worden gelezen.",
            officer=(
                "Gekend voor openbare dronkenschap en een stadionverbod. Geen wapens. Voorstellen."
            ),
            summary=(
                "Jongvolwassene met een racistisch vijandbeeld en een online oproep tegen een "
                "gebedshuis; sociaal kwetsbaar (werkloos, alcohol)."
            ),
        )
        case = self.retain(signal, opened_days_ago=165)
        self.take_part(
            COORDINATOR, case, OCMW_ORG, "Kevin krijgt leefloon; het OCMW kent hem goed."
        )
        case = self.lead(case, OCMW_ORG)
        case = self.step(case, CaseStatus.IN_DISCUSSION)
        self.note(
            OCMW,
            case,
            150,
            "Kevin heeft zijn bericht verwijderd en zijn excuses aangeboden. Hij stemt in met "
            "een begeleiding bij het CAW voor zijn alcoholgebruik.",
        )
        self.close(
            COORDINATOR,
            case,
            ClosureReason.REGULAR_CARE,
            "De casustafel ziet geen ideologische drijfveer meer: overgedragen aan het CAW "
            "Demoland (alcohol, werk). Heropenen bij een nieuw signaal.",
        )
        return case

    def case_in_evaluation(self) -> None:
        """Thibault: a pathway with the OCMW as lead partner, now being evaluated."""
        signal = self.submit(
            OFFICER,
            THIBAULT,
            days_ago=160,
            observed_days_ago=163,
            behaviour=(
                "Bij een verkeerscontrole lagen in de wagen uitgeprinte teksten uit een "
                "'incel'-forum die geweld tegen vrouwen verheerlijken. Thibault zei tegen de "
                "agenten dat 'de daders van Isla Vista en Toronto helden zijn'."
            ),
            concern=(
                "Vrouwenhaat met verheerlijking van aanslagen, bij een jongeman die volgens "
                "zijn moeder al maanden zijn kamer nauwelijks verlaat."
            ),
        )
        signal = self.screen(
            signal,
            coordinator=(
                "Binnen de finaliteit: verheerlijking van aanslagen vanuit een misogyne "
                "ideologie. Isolement is een duidelijke risicofactor."
            ),
            officer="Geen antecedenten. Geen wapenvergunning. Voorstellen.",
            summary=(
                "Jongvolwassene (21) met een misogyn wereldbeeld ('incel') dat aanslagen "
                "verheerlijkt; sociaal geïsoleerd, zonder werk of opleiding."
            ),
        )
        case = self.retain(signal, opened_days_ago=152)
        self.take_part(COORDINATOR, case, OCMW_ORG, "Begeleiding naar werk en inkomen (art. 60).")
        case = self.lead(case, OCMW_ORG)
        case = self.step(case, CaseStatus.IN_DISCUSSION, CaseStatus.FOLLOW_UP)
        self.assess(
            OCMW,
            case,
            "Thibault zoekt erkenning in een online gemeenschap die vrouwen de schuld geeft van "
            "zijn eenzaamheid. Hij spreekt zelf niet van geweld, maar verheerlijkt daders. Er "
            "is een opening: hij wil werken en een eigen woonst.",
            {
                "health": {
                    "observed_signals": "Sombere stemming, slaapt overdag, weinig eetlust.",
                    "signal_source": "Moeder, huisbezoek OCMW",
                    "signal_date": self.ago(140),
                    "risk_factors": "Mogelijke depressie, onbehandeld.",
                    "needs": "Psychologische begeleiding.",
                    "goal": "Aanmelding bij het CGG.",
                },
                "online": {
                    "observed_signals": "Dagelijks actief op een incel-forum.",
                    "signal_source": "Eigen verklaring",
                    "risk_factors": "Echokamer die geweld tegen vrouwen normaliseert.",
                    "protective_factors": "Staat open voor gesprek over wat hij leest.",
                },
                "education_work": {
                    "observed_signals": "Geen diploma secundair, nooit gewerkt.",
                    "protective_factors": "Technisch handig; wil graag werken.",
                    "needs": "Werkervaring met begeleiding.",
                    "goal": "Tewerkstelling via art. 60.",
                },
            },
        )
        self.action(
            OCMW,
            case,
            "Aanmelding bij het CGG",
            HEALTH_ORG,
            self.ago(120),
            status=ActionStatus.DONE,
        )
        self.action(
            OCMW,
            case,
            "Tewerkstelling art. 60 bij de technische dienst",
            OCMW_ORG,
            self.ago(60),
            status=ActionStatus.DONE,
            status_by=OCMW,
        )
        self.note(
            OCMW,
            case,
            45,
            "Thibault werkt sinds zes weken bij de technische dienst. Collega's zijn tevreden. "
            "Hij zegt dat hij het forum niet meer bezoekt.",
        )
        followup.review_record(
            actor=self.who(COORDINATOR),
            case=case,
            held_on=self.ago(40),
            notes="Positieve evolutie op werk en welzijn. Voorstel: evalueren.",
            next_review_on=self.ahead(10),
        )
        self.step(case, CaseStatus.EVALUATION)

    def case_closed_moved_or_referred(self) -> None:
        """Ruben: closed as "moved" when another cell covers a municipality he can move to,
        otherwise handed to regular care."""
        signal = self.submit(
            COORDINATOR,
            RUBEN,
            days_ago=130,
            observed_days_ago=131,
            behaviour=(
                "Ruben stuurde de dienst burgerzaken e-mails waarin hij de burgemeester een "
                "'verrader' noemt en schrijft dat 'het volk zich binnenkort zal verdedigen'. "
                "Hij erkent de Belgische staat niet en weigert zijn identiteitskaart te vernieuwen."
            ),
            concern=(
                "Complotdenken met een vijandbeeld tegenover de lokale overheid; het personeel "
                "van burgerzaken voelt zich bedreigd."
            ),
        )
        signal = self.screen(
            signal,
            coordinator="Anti-overheidsextremisme met dreigende taal; voorstellen.",
            officer="Gekend voor een conflict met een deurwaarder, zonder geweld. Voorstellen.",
            summary=(
                "Man (28) met een 'soevereine burger'-discours en dreigende e-mails aan de "
                "gemeente."
            ),
        )
        case = self.retain(signal, opened_days_ago=124)
        case = self.step(case, CaseStatus.IN_DISCUSSION)
        self.note(
            COORDINATOR,
            case,
            110,
            "Gesprek met Ruben samen met de wijkagent. Hij blijft bij zijn standpunten maar "
            "neemt afstand van geweld. Hij vertelt dat hij binnenkort verhuist.",
        )
        moved_to = self.municipality_of_another_cell()
        if moved_to is not None:
            self.close(
                CHAIR,
                case,
                ClosureReason.MOVED,
                "Ruben is verhuisd. Minimale overdracht aan de cel van zijn nieuwe gemeente; "
                "de coördinator is contactpersoon.",
                moved_to=moved_to,
            )
        else:
            self.close(
                CHAIR,
                case,
                ClosureReason.REGULAR_CARE,
                "Geen aanwijzingen meer voor een radicaliseringsproces richting geweld. "
                "Opvolging door het CAW Demoland (schulden, huisvesting).",
            )

    def municipality_of_another_cell(self) -> Municipality | None:
        return (
            Municipality.objects.filter(cells__isnull=False)
            .exclude(cells=self.cell)
            .order_by("name")
            .first()
        )

    def case_in_follow_up(self) -> Case:
        """Amber: the full follow-up pathway, with two partners, journal, assessment, files."""
        signal = self.submit(
            SCHOOL,
            AMBER,
            days_ago=120,
            observed_days_ago=122,
            behaviour=(
                "Amber deelde in de klasgroep een filmpje waarin een aanslag in Europa 'een "
                "verdiende straf' wordt genoemd. Ze volgt op TikTok en Telegram kanalen die "
                "geweld goedpraten en vertelde een vriendin dat ze 'naar het buitenland wil om "
                "daar een echt leven te leiden'."
            ),
            concern=(
                "Ze heeft online contact met een onbekende volwassen man die haar 'zuster' "
                "noemt en haar aanraadt niets aan haar moeder te vertellen. Ze trekt zich terug "
                "uit de klas en is vaak afwezig."
            ),
        )
        signal = self.screen(
            signal,
            coordinator=(
                "Mogelijke online grooming door een volwassene met een gewelddadig "
                "extremistisch discours. Haar geloofsbeleving op zich is geen zorgpunt."
            ),
            officer=(
                "De online contactpersoon komt voor in een lopend politioneel dossier. "
                "Voorstellen met voorrang."
            ),
            summary=(
                "Minderjarige (17) die online wordt benaderd door een volwassene met een "
                "gewelddadig extremistisch discours; vertrekplannen, isolement."
            ),
        )
        case = self.retain(
            signal, opened_days_ago=114, note="Met voorrang op de volgende casustafel."
        )
        self.take_part(
            CHAIR,
            case,
            SCHOOL_ORG,
            "Meldende school; Amber zit in het 5de jaar en de school ziet haar dagelijks.",
        )
        self.take_part(
            COORDINATOR,
            case,
            OCMW_ORG,
            "Het gezin krijgt schuldbemiddeling van het OCMW; moeder vraagt ondersteuning.",
        )
        case = self.lead(case, SCHOOL_ORG)
        case = self.step(case, CaseStatus.IN_DISCUSSION, CaseStatus.FOLLOW_UP)
        casefile.case_summary_update(
            actor=self.who(COORDINATOR),
            case=case,
            summary=(
                "Amber (17) werd online benaderd door een volwassene met een gewelddadig "
                "extremistisch discours. Opvolgingstraject met school (leidende partner) en "
                "OCMW: schoolloopbaan, gezin, online contacten."
            ),
            version=self.fresh(case).version,
        )

        # The journal: every visibility, one entry for the coming meeting, one edited.
        first = self.note(
            SCHOOL,
            case,
            105,
            "Gesprek met Amber en haar moeder op school (leerlingenbegeleider en "
            "klastitularis). Amber toont zelf de berichten van de onbekende man. Afspraak: "
            "wekelijks gesprek met de leerlingenbegeleider.",
        )
        casefile.journal_entry_update(
            actor=self.who(SCHOOL),
            entry=first,
            text=first.text + " Moeder zal de gsm-instellingen samen met Amber nakijken.",
            visibility=first.visibility,
            occurred_on=first.occurred_on,
            for_meeting=False,
            version=first.version,
        )
        self.note(
            OCMW,
            case,
            92,
            "Huisbezoek. Moeder is alleenstaand met drie kinderen en heeft een huurachterstand "
            "van vier maanden. Ze vertelde over eigen psychische klachten; dat blijft binnen "
            "het OCMW.",
            Visibility.OWN_ORGANISATION,
        )
        self.note(
            OFFICER,
            case,
            88,
            "De online contactpersoon van Amber komt voor in een dossier van de federale "
            "gerechtelijke politie. Geen details delen buiten de politie. Contact werd "
            "geblokkeerd op vraag van het parket.",
            Visibility.POLICE,
        )
        self.note(
            SCHOOL,
            case,
            30,
            "Aanwezigheid in oktober 94 %. Amber neemt deel aan het mentorproject en zit "
            "opnieuw bij haar vriendinnen op de speelplaats.",
        )
        self.note(
            COORDINATOR,
            case,
            4,
            "Voor de operationele tafel: stand van de acties overlopen (de aanvraag voor de "
            "broers loopt achter) en beslissen of we in januari evalueren.",
            for_meeting=True,
        )

        # The assessment: two versions, several life domains.
        self.assess(
            COORDINATOR,
            case,
            "Amber lijkt vatbaar voor een extremistisch discours dat ze online tegenkomt, in "
            "een periode van isolement en gezinsstress. Er zijn geen aanwijzingen dat ze zelf "
            "geweld plant; de grootste zorg is het contact met een onbekende volwassene en "
            "haar uitspraak dat ze naar het buitenland wil.",
            {
                "family": {
                    "observed_signals": "Spanningen thuis sinds de zomer; vader woont in het "
                    "buitenland en heeft weinig contact.",
                    "signal_source": "OCMW Demostad (huisbezoek)",
                    "signal_date": self.ago(92),
                    "risk_factors": "Weinig toezicht door financiële en psychische druk bij "
                    "moeder.",
                    "protective_factors": "Sterke band met haar grootmoeder.",
                    "needs": "Ondersteuning van moeder.",
                    "goal": "Moeder en grootmoeder betrekken bij het traject.",
                },
                "education_work": {
                    "observed_signals": "Afwezigheden stegen tot 22 % in september; trekt zich "
                    "terug in de klas.",
                    "signal_source": "Sint-Jozefcollege",
                    "signal_date": self.ago(118),
                    "risk_factors": "Dreigende schooluitval.",
                    "protective_factors": "Goede resultaten in talen; wil verpleegkundige worden.",
                    "needs": "Een vertrouwenspersoon op school.",
                    "goal": "Aanwezigheid boven 90 %.",
                },
                "social": {
                    "observed_signals": "Contact met haar vriendengroep verbroken; enkel nog "
                    "online contacten.",
                    "risk_factors": "Isolement; afhankelijk van één online contactpersoon.",
                    "protective_factors": "Eén vriendin uit de klas blijft contact zoeken.",
                    "needs": "Leeftijdsgenoten en een vrijetijdsbesteding.",
                },
                "online": {
                    "observed_signals": "Volgt kanalen die aanslagen goedpraten; "
                    "privéberichten met een volwassen man.",
                    "signal_source": "Medeleerlingen; Amber zelf",
                    "signal_date": self.ago(122),
                    "risk_factors": "Online grooming; blootstelling aan verheerlijking van geweld.",
                    "protective_factors": "Amber toonde de berichten zelf aan de "
                    "leerlingenbegeleider.",
                    "goal": "Het contact met de onbekende volwassene stopt.",
                },
            },
        )
        self.assess(
            SCHOOL,
            case,
            "Duidelijke positieve evolutie: Amber gaat weer regelmatig naar school, heeft het "
            "online contact verbroken en sport wekelijks. Aandachtspunten blijven de draagkracht "
            "van moeder en Ambers vragen over zingeving. Voorstel: nog twee maanden opvolgen.",
            {
                "family": {
                    "observed_signals": "Moeder neemt actief deel aan de gesprekken.",
                    "signal_source": "OCMW Demostad",
                    "signal_date": self.ago(35),
                    "risk_factors": "Financiële druk blijft.",
                    "protective_factors": "Sterke band met haar grootmoeder; moeder betrokken.",
                    "needs": "Ondersteuning voor de jongere broers.",
                    "goal": "Gezinsondersteuning voor de broers.",
                },
                "education_work": {
                    "observed_signals": "Aanwezigheid 94 % in oktober.",
                    "signal_source": "Sint-Jozefcollege",
                    "signal_date": self.ago(30),
                    "protective_factors": "Mentor op school; goede resultaten; wil "
                    "verpleegkundige worden.",
                    "goal": "Aanwezigheid boven 90 % houden.",
                },
                "social": {
                    "observed_signals": "Speelt wekelijks zaalvoetbal; opnieuw contact met "
                    "vriendinnen.",
                    "protective_factors": "Nieuwe vriendengroep bij de sportclub.",
                },
                "online": {
                    "observed_signals": "Heeft de kanalen verlaten en de man geblokkeerd "
                    "(samen met moeder).",
                    "signal_source": "Amber, leerlingenbegeleider",
                    "signal_date": self.ago(60),
                    "protective_factors": "Praat open over wat ze online ziet.",
                    "needs": "Mediawijsheid blijven oefenen.",
                },
                "housing_income": {
                    "observed_signals": "Huurachterstand in een afbetalingsplan.",
                    "signal_source": "OCMW Demostad",
                    "risk_factors": "Kwetsbaar bij nieuwe onverwachte kosten.",
                    "needs": "Schuldbemiddeling verderzetten.",
                },
            },
        )
        followup.instrument_record(
            actor=self.who(COORDINATOR),
            case=case,
            name="VERA-2R",
            used_on=self.ago(80),
            assessor="Psycholoog, Centrum Geestelijke Gezondheidszorg Demoland",
            conclusion=(
                "Geen aanwijzingen voor een concreet gewelddadig plan; beschermende factoren "
                "(school, familie) versterken en online contacten blijven opvolgen."
            ),
        )

        # The pathway: a scenario, own goals, an overdue and a done action, reviews.
        followup.pathway_apply_scenario(
            actor=self.who(COORDINATOR), case=case, template=self.scenarios[ScenarioKind.PREVENTIVE]
        )
        for scenario_action in PathwayAction.objects.filter(case=case):
            if scenario_action.owner_organisation_id == self.org(OCMW_ORG).pk:
                # The owner organisation's member sets its own action's status.
                self.set_status(OCMW, scenario_action, ActionStatus.IN_PROGRESS)
        online = followup.goal_create(
            actor=self.who(SCHOOL),
            case=case,
            domain=self.domains["online"],
            text="Het contact met de onbekende volwassene stopt en Amber weet waar ze "
            "terechtkan met vragen.",
        )
        followup.goal_update(
            actor=self.who(SCHOOL),
            goal=online,
            version=online.version,
            domain=online.domain,
            text=online.text,
            is_achieved=True,
        )
        family = followup.goal_create(
            actor=self.who(SCHOOL),
            case=case,
            domain=self.domains["family"],
            text="De jongere broers krijgen gezinsondersteuning.",
        )
        self.action(
            SCHOOL,
            case,
            "Gesprek met Amber en haar moeder op school",
            SCHOOL_ORG,
            self.ago(100),
            status=ActionStatus.DONE,
            status_by=SCHOOL,
        )
        self.action(
            SCHOOL,
            case,
            "Aanvraag gezinsondersteuning voor de broers indienen bij de jeugdhulp",
            OCMW_ORG,
            self.ago(10),
            goal=family,
        )
        self.action(
            COORDINATOR,
            case,
            "Inschrijving bij de zaalvoetbalclub via de Jeugddienst",
            YOUTH_ORG,
            self.ahead(20),
            status=ActionStatus.IN_PROGRESS,
        )
        followup.review_record(
            actor=self.who(COORDINATOR),
            case=case,
            held_on=self.ago(60),
            notes="Eerste opvolging: contact met de man gestopt, schoolaanwezigheid stijgt.",
            next_review_on=self.ago(25),
        )
        followup.review_record(
            actor=self.who(COORDINATOR),
            case=case,
            held_on=self.ago(25),
            notes=(
                "Goede vooruitgang op school en in de vrije tijd. De aanvraag voor de broers "
                "moet nog vertrekken. Volgende bespreking op de operationele tafel."
            ),
            next_review_on=self.ahead(18),
        )

        # Two attachments: a report (PDF) and the OCMW's own notes (text).
        self.attach(
            SCHOOL,
            case,
            "verslag-klassenraad-oktober.pdf",
            _pdf(
                "Verslag klassenraad 5de jaar — oktober",
                [
                    "Sint-Jozefcollege Demostad — leerlingenbegeleiding (fictief voorbeeld).",
                    "Leerling: Amber Lauwerysen. Aanwezigheid oktober: 94 %.",
                    "De klassenraad stelt een duidelijke vooruitgang vast: Amber neemt actief "
                    "deel aan de lessen en aan het mentorproject.",
                    "Afspraken: wekelijks gesprek met de leerlingenbegeleider verderzetten; "
                    "volgende klassenraad in december.",
                ],
            ),
            "application/pdf",
            "Verslag van de klassenraad (oktober)",
            for_meeting=True,
        )
        self.attach(
            OCMW,
            case,
            "notities-huisbezoek.txt",
            (
                b"Notities huisbezoek OCMW Demostad (fictief voorbeeld)\n\n"
                b"- Moeder alleenstaand, drie kinderen (Amber en twee jongere broers).\n"
                b"- Huurachterstand: afbetalingsplan opgemaakt met de verhuurder.\n"
                b"- Volgende stap: aanvraag gezinsondersteuning voor de broers.\n"
            ),
            "text/plain",
            "Notities van het huisbezoek",
            Visibility.OWN_ORGANISATION,
        )
        return case

    def signal_not_retained(self) -> None:
        """Femke: ordinary need for care, not retained, referred to regular services."""
        signal = self.submit(
            SCHOOL,
            FEMKE,
            days_ago=40,
            observed_days_ago=41,
            behaviour=(
                "Femke zei in de klas dat 'iedereen beter dood zou zijn' en schrijft sombere "
                "teksten in haar schoolagenda."
            ),
            concern="We twijfelen of dit iets met radicalisering te maken heeft.",
        )
        self.screen(
            signal,
            coordinator=(
                "Geen aanwijzingen voor een ideologie of een vijandbeeld; wel ernstige zorgen "
                "over haar welzijn (mogelijk depressieve klachten, pesterijen)."
            ),
            officer="Niet gekend. Geen ideologische elementen in de melding.",
            outcome=ScreeningOutcome.ORDINARY_CARE,
            summary="Zorgvraag zonder signalen van een radicaliseringsproces.",
            # The social map's offer (loaded before the cases), when there is one.
            referred_offer_id=demo_referral_offer_id(),
            referral=(
                "Doorverwezen naar het CLB Demostad (leerlingenbegeleiding) en, met akkoord van "
                "de ouders, naar het Centrum Geestelijke Gezondheidszorg Demoland. De school "
                "volgt op via haar zorgteam."
            ),
        )

    def case_in_discussion(self) -> None:
        """Jens: entered for an anonymous neighbour; the case is being discussed."""
        signal = signals.signal_enter_outside(
            actor=self.who(COORDINATOR),
            cell=self.cell,
            subject_family_name=JENS.family_name,
            subject_given_names=JENS.given_names,
            subject_birth_date=JENS.birth_date,
            subject_municipality=self.municipalities.get(JENS.municipality),
            observed_on=self.ago(38),
            observed_behaviour=(
                "Volgens de melder hangt Jens sinds enkele maanden spandoeken met "
                "'remigratie'-leuzen uit en ontvangt hij 's avonds groepjes tieners in zijn "
                "garage. Tegen buren zei hij dat 'het binnenkort zal knallen in Voorbeeldegem'."
            ),
            concern=(
                "De melder vreest dat Jens jongeren ronselt voor een gewelddadige groep. De "
                "melder wil anoniem blijven uit angst voor represailles."
            ),
            source_description="Een buurtbewoner (telefonisch bij de preventiedienst)",
            source_anonymous=True,
        )
        self.received(signal, 35)
        signal = self.screen(
            signal,
            coordinator=(
                "Mogelijke ronselaar van minderjarigen met een extreemrechts discours en een "
                "dreigende uitspraak. De bron is anoniem: de feiten eerst verifiëren."
            ),
            officer=(
                "Jens is gekend bij de politie als lid van een extreemrechtse groepering. "
                "Wijkagent bevestigt de spandoeken. Voorstellen."
            ),
            summary=(
                "Man (38) met een extreemrechts discours die mogelijk minderjarigen ronselt; "
                "dreigende uitspraak in de buurt. Anonieme bron, deels bevestigd."
            ),
        )
        case = self.retain(signal, opened_days_ago=28)
        case = self.step(case, CaseStatus.IN_DISCUSSION)
        self.note(
            OFFICER,
            case,
            20,
            "Wijkagent bevestigt de bijeenkomsten in de garage; er zijn minstens drie "
            "minderjarigen bij betrokken. De jeugddienst wordt best uitgenodigd.",
        )
        self.note(
            COORDINATOR,
            case,
            6,
            "Voor de casustafel: welke partners betrekken we (jeugddienst, scholen van de "
            "betrokken jongeren)? Eerst een gesprek met Jens door de wijkagent?",
            for_meeting=True,
        )

    def signal_joined(self, case: Case) -> None:
        """A second signal about Amber, joined to her open case at screening."""
        signal = self.submit(
            OCMW,
            AMBER,
            days_ago=20,
            observed_days_ago=21,
            behaviour=(
                "Amber's moeder vertelde tijdens het gesprek rond de schuldbemiddeling dat "
                "Amber opnieuw een pakketje kreeg van een onbekende afzender."
            ),
            concern="Mogelijk opnieuw contact met de onbekende volwassene.",
        )
        signal = self.opinion(
            COORDINATOR,
            signal,
            "Dezelfde persoon heeft al een lopende casus: toevoegen aan die casus.",
        )
        signals.signal_join(
            actor=self.who(COORDINATOR), signal=signal, case=case, version=signal.version
        )

    def case_on_list(self) -> None:
        """Milan: retained by the chair, on the case list for the next meeting."""
        signal = self.submit(
            SCHOOL,
            MILAN,
            days_ago=14,
            observed_days_ago=16,
            behaviour=(
                "Milan deelt in de klasgroep memes met hakenkruisen en verwijzingen naar 'de "
                "grote vervanging'. In een taak over migratie schreef hij dat 'geweld soms de "
                "enige taal is die werkt'."
            ),
            concern=(
                "Hij zoekt online contact met oudere jongeren uit een Telegramgroep die zich "
                "een 'actiegroep' noemt; zijn resultaten gaan achteruit."
            ),
        )
        signal = self.screen(
            signal,
            coordinator=(
                "Extreemrechts discours met een uitspraak die geweld goedkeurt, en contact met "
                "een groep. Voorstellen."
            ),
            officer="De Telegramgroep is gekend; Milan zelf niet. Voorstellen.",
            summary=(
                "Leerling (16) met een extreemrechts discours die geweld goedkeurt en online "
                "contact zoekt met een groep."
            ),
        )
        self.retain(signal, opened_days_ago=7, note="Agenderen op de volgende casustafel.")

    def signal_proposed(self) -> None:
        """Elias: both opinions recorded, proposed, waiting for the chair."""
        signal = self.submit(
            OCMW,
            ELIAS,
            days_ago=9,
            observed_days_ago=12,
            behaviour=(
                "Elias deelt in een chatgroep handleidingen om bedrijfswagens van een "
                "energiebedrijf in brand te steken en noemt zulke acties 'noodzakelijke "
                "zelfverdediging van de planeet'."
            ),
            concern=(
                "Hij is recent ontslagen, woont alleen en zegt dat 'praten niets meer "
                "oplevert'. Hij toonde zijn maatschappelijk werker foto's van jerrycans."
            ),
        )
        self.screen(
            signal,
            coordinator=(
                "Binnen de finaliteit: oproep tot gewelddadige acties vanuit een "
                "ecologistisch-extremistisch discours."
            ),
            officer=(
                "Gekend als deelnemer aan betogingen, zonder incidenten. De groep wordt "
                "opgevolgd. Voorstellen."
            ),
            summary=(
                "Jongvolwassene (25) die oproept tot brandstichting vanuit een "
                "ecologistisch-extremistisch discours; geïsoleerd na ontslag."
            ),
        )

    def case_reopened(self, case: Case) -> None:
        """Kevin again: a new signal joined to his closed case puts it back on the list."""
        signal = self.submit(
            OFFICER,
            KEVIN,
            days_ago=4,
            observed_days_ago=5,
            behaviour=(
                "Kevin werd gezien bij de oprichting van een 'burgerwacht' die 's nachts "
                "patrouilleert rond het asielcentrum en deelde een oproep om 'zelf orde op "
                "zaken te stellen'."
            ),
            concern="Nieuw signaal na de afsluiting; het vijandbeeld lijkt terug.",
        )
        signal = self.opinion(
            COORDINATOR,
            signal,
            "Kevin heeft een afgesloten casus: toevoegen en de casus heropenen.",
        )
        signals.signal_join(
            actor=self.who(COORDINATOR), signal=signal, case=case, version=signal.version
        )

    def signal_received(self) -> None:
        """Dries: just received; only the coordinator's opinion is recorded so far."""
        signal = self.submit(
            SCHOOL,
            DRIES,
            days_ago=2,
            observed_days_ago=3,
            behaviour=(
                "Dries toonde in de les geschiedenis filmpjes van een buitenlandse aanslag en "
                "noemde de dader 'een held'. Op zijn pennenzak tekende hij symbolen die we niet "
                "kennen (een zwarte zon)."
            ),
            concern=(
                "Sinds de herfstvakantie trekt hij zich terug uit de klasgroep; zijn ouders "
                "zijn moeilijk bereikbaar."
            ),
        )
        self.opinion(
            COORDINATOR,
            signal,
            "Mogelijke extreemrechtse symboliek en verheerlijking van een aanslag. Eerst het "
            "advies van de informatieofficier afwachten.",
        )


def _pdf(title: str, paragraphs: Sequence[str]) -> bytes:
    """A small PDF document (WeasyPrint, from an HTML string that refers to nothing)."""
    from weasyprint import HTML

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body { font-family: sans-serif; font-size: 11pt; }</style>"
        f"</head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return bytes(HTML(string=html).write_pdf())
