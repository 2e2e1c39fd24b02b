"""The GDPR art. 30 record of processing activities and the DPIA annex, built from the cell's
active charter and its configuration (no case data: organisations, roles, life domains)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from casus.access.models import Cell, Charter, Membership, Organisation, Role, User
from casus.access.rules import Action, require
from casus.access.selectors import charter_active
from casus.cases.models import LifeDomain

#: Security measures Casus itself applies (docs/architecture.md), for art. 30(1)(g) and the
#: DPIA; each is a fact of the code, not a promise.
SECURITY_MEASURES = (
    _(
        "Identity fields and narrative texts encrypted at rest (AES-256-GCM) with per-cell keys "
        "kept outside the database; exact-match lookup through a keyed hash (blind index)."
    ),
    _(
        "Need-to-know enforced in every database query, deny by default: a member sees only the "
        "cases in which their organisation takes part; police-only and own-organisation entries."
    ),
    _(
        "Multi-factor authentication for everyone (TOTP or passkeys); sessions end after 30 "
        "minutes idle and 10 hours; re-authentication before break-glass and exports."
    ),
    _(
        "An access log of every read, search and export and a change log of every write, in one "
        "hash chain per cell whose daily head is signed with a key kept outside the database."
    ),
    _(
        "Change-log values sealed under a per-case key that is destroyed at purge "
        "(crypto-shredding); encrypted backups under a separate key."
    ),
    _(
        "Strict content security policy without external assets; no case content in e-mails, "
        "notifications, URLs or error reports; uploads checked for size and type."
    ),
    _("Every member signs the confidentiality statement (art. 458ter Sw.) before any access."),
)

#: Categories of data subjects (art. 30(1)(c)).
DATA_SUBJECTS = (
    _("Persons signalled to the cell, minors included, and the persons followed up in a case."),
    _(
        "Reporters and sources of signals (an anonymous source is visible to the coordinator and "
        "the information officer only)."
    ),
    _("Members of the cell and their organisations' representatives (users of Casus)."),
    _("Persons who exercise their data-protection rights (data-subject requests)."),
)

#: Categories of personal data (art. 30(1)(c)), the special ones included.
DATA_CATEGORIES = (
    _("Identity: family name, given names, birth date, municipality."),
    _("Observed behaviour and concerns, screening opinions, the case journal and attachments."),
    _("Assessment by life domain, the follow-up pathway, reviews and the closure."),
    _("Usage data of the members: logins, reads, searches, exports and changes."),
)
SPECIAL_CATEGORIES = (
    _(
        "Art. 9 GDPR: religious or philosophical beliefs and political opinions (signs of a "
        "radicalisation process); health data where relevant to the follow-up."
    ),
    _(
        "Art. 10 GDPR: personal data on criminal convictions and offences, and contacts with "
        "justice."
    ),
)

LEGAL_BASES = (
    _(
        "Law of 30 July 2018 on the creation of local integral security cells for "
        "radicalism, extremism and terrorism (LIVC-R / CSIL-R)."
    ),
    _("Art. 458ter of the Criminal Code: case consultation under professional secrecy."),
    _(
        "GDPR art. 6(1)(e) (a task in the public interest), art. 9(2)(g) and art. 10, within "
        "the limits of the law of 30 July 2018 on the protection of natural persons."
    ),
)

#: The DPIA annex's risks and the measures that answer them.
DPIA_RISKS = (
    (
        _("A member reads files of persons their organisation does not follow."),
        _(
            "Need-to-know in every query; organisation participation as an explicit, revocable "
            "step; meeting windows; every read logged and reviewed by the DPO."
        ),
    ),
    (
        _("A person learns that they, or someone else, are known to the cell."),
        _(
            'A reporter only sees "received" or "handled"; name search only for chair, '
            "coordinator and information officer, by POST, logged by a keyed token."
        ),
    ),
    (
        _("Police information leaves the police route."),
        _(
            "Police-only entries readable by the police alone; never part of a data-subject "
            "request, for which the requester is referred to the supervisory body."
        ),
    ),
    (
        _("Stigmatisation through an automated or lasting verdict."),
        _(
            "No automated risk score; assessments are free text by life domain, versioned; "
            "retention periods set in the charter, purge with a destruction log."
        ),
    ),
    (
        _("Theft of a database, a dump or a backup."),
        _(
            "Encryption at rest with keys outside the database, encrypted backups, crypto-erasure "
            "of a cell that leaves."
        ),
    ),
    (
        _("Misuse of emergency access."),
        _(
            "Break-glass for the chair only, 24 hours, written reason, re-authentication, "
            "coordinator and DPO notified, reviewed at the next meeting."
        ),
    ),
)


@dataclass(frozen=True)
class ProcessingRecord:
    cell: Cell
    charter: Charter | None
    municipalities: list[str]
    organisations: list[Organisation]
    dpos: list[User]
    life_domains: list[str]


def processing_record_for(*, actor: User, cell: Cell) -> ProcessingRecord:
    """What the record of processing and the DPIA annex are made of, for the chair, the
    coordinator, the DPO and the cell administrator."""
    require(actor, Action.PROCESSING_RECORD_READ, cell)
    charter = charter_active(cell=cell)
    organisations = (
        list(charter.organisations.order_by("name"))
        if charter is not None
        else list(Organisation.objects.filter(cell=cell, is_active=True).order_by("name"))
    )
    dpos = [
        membership.user
        for membership in Membership.objects.current()
        .filter(cell=cell, role=Role.DPO)
        .select_related("user")
        .order_by("user__full_name")
    ]
    return ProcessingRecord(
        cell=cell,
        charter=charter,
        municipalities=sorted(m.name for m in cell.municipalities.all()),
        organisations=organisations,
        dpos=dpos,
        life_domains=[
            d.label
            for d in LifeDomain.objects.filter(cell=cell, is_active=True).order_by(
                "position", "name"
            )
        ],
    )


def record_context(record: ProcessingRecord) -> dict[str, object]:
    """The template context both documents share."""
    return {
        "record": record,
        "security_measures": SECURITY_MEASURES,
        "data_subjects": DATA_SUBJECTS,
        "data_categories": DATA_CATEGORIES,
        "special_categories": SPECIAL_CATEGORIES,
        "legal_bases": LEGAL_BASES,
        "dpia_risks": DPIA_RISKS,
    }
