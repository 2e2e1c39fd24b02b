"""The demo installation: the cell "Demostad", one person per role, all through the services.

Credentials are generated on the first run and kept in ``<data dir>/demo-credentials.json``
(mode 0600, outside the repository); later runs print the same ones.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casus.access import services
from casus.access.models import (
    Cell,
    Clearance,
    Membership,
    Municipality,
    OrganisationKind,
    RequestKind,
    Role,
    Sector,
    Table,
    TableKind,
    User,
)
from casus.demo.cases import build_cases
from casus.demo.knowledge import load as build_knowledge
from casus.demo.meetings import build_meetings
from casus.demo.monitoring import REGIONAL_EMAIL, REGIONAL_NAME
from casus.demo.monitoring import load as build_monitoring
from casus.demo.privacy import build_privacy
from casus.demo.socialmap import load as build_socialmap
from casus.demo.strategy import load as build_strategy

CELL_NAME = "Demostad"

ORGANISATIONS = [
    ("Politiezone Demostad-Voorbeeldegem", OrganisationKind.POLICE, Sector.SECURITY),
    ("Preventiedienst Demostad", OrganisationKind.PREVENTION, Sector.LOCAL_GOVERNMENT),
    ("OCMW Demostad", OrganisationKind.OCMW, Sector.SOCIAL),
    ("Sint-Jozefcollege Demostad", OrganisationKind.EDUCATION, Sector.EDUCATION),
    ("Atheneum Voorbeeldegem", OrganisationKind.EDUCATION, Sector.EDUCATION),
    ("Jeugddienst Demostad", OrganisationKind.YOUTH, Sector.YOUTH),
    ("AMO De Brug", OrganisationKind.YOUTH, Sector.YOUTH),
    ("CAW Demoland", OrganisationKind.WELFARE, Sector.SOCIAL),
    ("CLB Demostad", OrganisationKind.EDUCATION, Sector.EDUCATION),
    ("Stedelijke jeugdwerking Voorbeeldegem", OrganisationKind.MUNICIPAL, Sector.YOUTH),
    ("Justitiehuis Demoland", OrganisationKind.JUSTICE_HOUSE, Sector.JUSTICE),
    ("Centrum Geestelijke Gezondheidszorg Demoland", OrganisationKind.HEALTH, Sector.HEALTH),
]


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    name: str
    role: str  # a cell role, or "installation_admin"
    organisation: str = ""
    tables: tuple[str, ...] = ()


# Tables by kind: their names are in the language of whoever created the cell.
TACTICAL, OPERATIONAL, STRATEGIC = TableKind.TACTICAL, TableKind.OPERATIONAL, TableKind.STRATEGIC

PEOPLE = [
    Person("installation", "installatie@demo.casus.test", "Ilse Installatie", "installation_admin"),
    Person("chair", "burgemeester@demo.casus.test", "Bart Burgemeester", Role.CHAIR),
    Person("cell_admin", "beheerder@demo.casus.test", "Anke Beheerder", Role.CELL_ADMIN),
    Person(
        "coordinator",
        "coordinator@demo.casus.test",
        "Kim Coördinator",
        Role.COORDINATOR,
        "Preventiedienst Demostad",
        (STRATEGIC, TACTICAL, OPERATIONAL),
    ),
    Person(
        "information_officer",
        "info-officier@demo.casus.test",
        "Ivo Informatie",
        Role.INFORMATION_OFFICER,
        "Politiezone Demostad-Voorbeeldegem",
        (TACTICAL, OPERATIONAL),
    ),
    Person(
        "member_school",
        "school@demo.casus.test",
        "Sara School",
        Role.MEMBER,
        "Sint-Jozefcollege Demostad",
        (OPERATIONAL,),
    ),
    Person(
        "member_ocmw",
        "ocmw@demo.casus.test",
        "Olivier OCMW",
        Role.MEMBER,
        "OCMW Demostad",
        (OPERATIONAL,),
    ),
    Person(
        "strategic",
        "strategisch@demo.casus.test",
        "Stien Strategie",
        Role.STRATEGIC,
        "Jeugddienst Demostad",
        (STRATEGIC,),
    ),
    Person("dpo", "dpo@demo.casus.test", "Dirk Gegevensbescherming", Role.DPO, "Lokaal bestuur"),
    # Installation roles without a cell: practice fiches and the social map; a regional
    # support body's aggregates (the person is created by casus.demo.monitoring).
    Person("editor", "kennis@demo.casus.test", "Karel Kennis", "knowledge_editor"),
    Person("regional", REGIONAL_EMAIL, REGIONAL_NAME, "regional_support"),
]
PENDING = Person(
    "pending", "caw@demo.casus.test", "Carla CAW", Role.MEMBER, "CAW Demoland", (OPERATIONAL,)
)


#: How the logins of people without a cell are labelled.
INSTALLATION_ROLES = {
    "installation_admin": "Installation administrator",
    "knowledge_editor": "Knowledge editor",
    "regional_support": "Regional support",
}


def credentials_path() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.json"


def load_demo() -> list[dict[str, object]]:
    """Create the demo cell if missing; return one login per person (same on every run)."""
    path = credentials_path()
    stored: dict[str, dict[str, object]] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    with transaction.atomic():
        if not Cell.objects.filter(name=CELL_NAME).exists():
            _build_cell()
        # Issue 6: the knowledge base and the social map (before the cases: the signal that
        # is not retained refers to one of its offers).
        editor = _user(next(person for person in PEOPLE if person.key == "editor"))
        if not editor.is_knowledge_editor:
            editor.is_knowledge_editor = True
            editor.save(update_fields=["is_knowledge_editor"])
        build_knowledge(editor)
        build_socialmap(editor)
        # The signals and cases: on a new cell, and on a demo cell from before they existed.
        build_cases(
            Cell.objects.get(name=CELL_NAME), {person.key: _user(person) for person in PEOPLE}
        )
        # The meetings: on a new cell, and on a demo cell from before they existed.
        build_meetings(
            Cell.objects.get(name=CELL_NAME), {person.key: _user(person) for person in PEOPLE}
        )
        # A data-subject request in review: on a new cell, and on an older demo cell.
        build_privacy(
            Cell.objects.get(name=CELL_NAME), {person.key: _user(person) for person in PEOPLE}
        )
        # The strategic table and self-evaluations.
        people = {person.key: _user(person) for person in PEOPLE if person.key != "regional"}
        build_strategy(Cell.objects.get(name=CELL_NAME), people)
    # Monitoring freezes the ended quarters in transactions of its own.
    build_monitoring(Cell.objects.get(name=CELL_NAME), people)
    with transaction.atomic():
        logins = [_ensure_login(person, stored.get(person.email)) for person in PEOPLE]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps({login["email"]: login for login in logins}, indent=2))
    return logins


def _build_cell() -> None:
    install = _user(PEOPLE[0])
    install.is_installation_admin = True
    install.save(update_fields=["is_installation_admin"])
    municipalities = [
        Municipality.objects.get_or_create(nis_code="99001", defaults={"name": "Demostad"})[0],
        Municipality.objects.get_or_create(nis_code="99002", defaults={"name": "Voorbeeldegem"})[0],
    ]
    by_key = {person.key: person for person in PEOPLE}
    cell = services.cell_create(
        actor=install,
        name=CELL_NAME,
        municipalities=municipalities,
        chair_email=by_key["chair"].email,
        chair_name=by_key["chair"].name,
        admin_email=by_key["cell_admin"].email,
        admin_name=by_key["cell_admin"].name,
    )
    admin = User.objects.get(email=by_key["cell_admin"].email)
    chair = User.objects.get(email=by_key["chair"].email)
    orgs = {org.name: org for org in cell.organisations.all()}
    for name, kind, sector in ORGANISATIONS:
        orgs[name] = services.organisation_create(
            actor=admin, cell=cell, name=name, kind=kind, sector=sector
        )
    local = next(org for org in orgs.values() if org.kind == OrganisationKind.MUNICIPAL)
    orgs["Lokaal bestuur"] = local
    services.table_create(
        actor=admin,
        cell=cell,
        kind=TableKind.WORKING_GROUP,
        name="Werkgroep gevoelige informatie",
        description="Contactpersonen per sector (openbaar vervoer, ziekenhuizen, scholen).",
    )
    tables = {
        table.kind: table
        for table in Table.objects.filter(cell=cell).exclude(kind=TableKind.WORKING_GROUP)
    }
    today = timezone.localdate()
    seated = [person for person in PEOPLE[3:] if person.role in Role.values]
    for person in [*seated, PENDING]:
        is_officer = person.role == Role.INFORMATION_OFFICER
        request = services.membership_request_create(
            actor=admin,
            cell=cell,
            kind=RequestKind.ADD,
            email=person.email,
            full_name=person.name,
            organisation=orgs[person.organisation],
            role=person.role,
            term_start=today - timedelta(days=90),
            term_end=today + timedelta(days=3 * 365),
            clearance_level=Clearance.SECRET if is_officer else "",
            clearance_expiry=today + timedelta(days=2 * 365) if is_officer else None,
            tables=[tables[kind] for kind in person.tables],
            reason="Aangeduid door de organisatie.",
        )
        if person is not PENDING:  # one request stays open, for the chair to see
            services.membership_request_decide(actor=chair, request=request, approve=True)
    charter = services.charter_draft_create(
        actor=admin,
        cell=cell,
        organisations=list(orgs.values()),
        purpose=(
            "Vroegtijdige detectie van personen in een radicaliseringsproces naar gewelddadig "
            "extremisme of terrorisme, en de opmaak van individuele opvolgingstrajecten."
        ),
        participation=(
            "De burgemeester (voorzitter), de informatieofficier van de politiezone, de "
            "preventieambtenaar (coördinator) en de partners die de burgemeester uitnodigt."
        ),
        meeting_rules="Operationele tafel maandelijks; deelnemerslijst vooraf vastgelegd.",
        confidentiality_rules="Art. 458ter Sw.; niets kopiëren buiten Casus.",
        feedback_procedure=(
            "Terugkoppelingsfiche naar de LTF enkel met akkoord van elke deelnemer aan het punt."
        ),
        emergency_route="Bij acuut gevaar: onmiddellijk de politie (101) en de burgemeester.",
    )
    services.charter_activate(actor=chair, charter=charter)
    services.statement_draft_create(
        actor=admin,
        cell=cell,
        text=(
            "Ik bevestig dat ik deelneem onder het beroepsgeheim van art. 458ter Sw. en alles "
            "wat ik hier verneem geheim houd. (Ontwerp van een nieuwe versie.)"
        ),
        validity_months=12,
    )


def _user(person: Person) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(email=person.email, full_name=person.name, language="nl")
    return user


def _ensure_login(person: Person, stored: dict[str, object] | None) -> dict[str, object]:
    """Give the person a password and a TOTP factor; keep the stored ones when still valid."""
    user = _user(person)
    if stored and user.check_password(str(stored["password"])):
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None and _secret_matches(totp, stored):
            return stored
    password = "demo-" + secrets.token_urlsafe(12)
    user.set_password(password)
    user.save(update_fields=["password"])
    Authenticator.objects.filter(user=user).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    membership = Membership.objects.filter(user=user, ended_at__isnull=True).first()
    role = membership.get_role_display() if membership else INSTALLATION_ROLES[person.role]
    return {
        "email": user.email,
        "name": user.full_name,
        "role": str(role),
        "password": password,
        "totp_secret": secret,
        "recovery_codes": codes[:3],
    }


def _secret_matches(authenticator: Authenticator, stored: dict[str, object]) -> bool:
    from allauth.mfa.adapter import get_adapter

    try:
        return bool(get_adapter().decrypt(authenticator.data["secret"]) == stored["totp_secret"])
    except ValueError:
        return False
