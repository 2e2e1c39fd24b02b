"""This app's part of the cross-cell URL classification (see tests/test_cross_cell_urls.py)."""

from datetime import date

from django.db.models import Model
from django.utils import timezone

from casus.access.models import Cell, Organisation, Role, User
from casus.strategy import services
from tests.url_specs import CellPage, ObjectUrl, Ref, RegionalUrl, SharedUrl

C, K, I, M, S = (  # noqa: E741 — the letters of product.md's matrix
    Role.CHAIR,
    Role.COORDINATOR,
    Role.INFORMATION_OFFICER,
    Role.MEMBER,
    Role.STRATEGIC,
)
#: "strategic plan, diagnosis, self-evaluation: ✔ C, K, I, S; answer M".
STRATEGIC = frozenset({C, K, I, S})
ANSWERING = STRATEGIC | {M}
YEAR = 2025

CLASSIFICATION: dict[str, ObjectUrl | CellPage | SharedUrl | RegionalUrl] = {
    # (a) objects of the strategic table
    "strategy:priority_edit": ObjectUrl(
        "strategy_priority",
        STRATEGIC,
        data={
            "year": YEAR,
            "title": "Hijacked",
            "description": "",
            "order": 1,
            "version": Ref("strategy_priority.version"),
        },
    ),
    "strategy:objective": ObjectUrl("strategy_objective", STRATEGIC, get_only=True),
    "strategy:objective_edit": ObjectUrl(
        "strategy_objective",
        STRATEGIC,
        data={
            "year": YEAR,
            "title": "Hijacked",
            "owner_organisation": Ref("strategy_objective.owner_organisation_id"),
            "status": "done",
            "version": Ref("strategy_objective.version"),
        },
    ),
    "strategy:note_add": ObjectUrl(
        "strategy_objective",
        STRATEGIC,
        post_only=True,
        data={"text": "Hijacked", "status": "", "version": Ref("strategy_objective.version")},
    ),
    "strategy:document_edit": ObjectUrl(
        "strategy_document",
        STRATEGIC,
        data={
            "title": "Hijacked",
            "dated_on": "2025-03-14",
            "version": Ref("strategy_document.version"),
        },
    ),
    "strategy:document_file": ObjectUrl("strategy_document", STRATEGIC, get_only=True),
    "strategy:finding_edit": ObjectUrl(
        "strategy_finding",
        STRATEGIC,
        data={
            "year": YEAR,
            "theme": "Hijacked",
            "text": "Hijacked",
            "version": Ref("strategy_finding.version"),
        },
    ),
    # (a) the self-evaluation: members answer it, the strategic roles close it and read results
    "strategy:evaluation_answer": ObjectUrl(
        "strategy_evaluation",
        ANSWERING,
        data={"structure_charter_known": "1", "structure_charter_known__comment": "Hijacked"},
    ),
    "strategy:evaluation_close": ObjectUrl("strategy_evaluation", STRATEGIC, post_only=True),
    "strategy:evaluation_results": ObjectUrl("strategy_evaluation", STRATEGIC, get_only=True),
    # (b) pages of the active cell
    "strategy:home": CellPage(STRATEGIC),
    "strategy:priority_new": CellPage(STRATEGIC),
    "strategy:objective_new": CellPage(STRATEGIC),
    "strategy:document_new": CellPage(STRATEGIC),
    "strategy:finding_new": CellPage(STRATEGIC),
    "strategy:evaluations": CellPage(ANSWERING),
    "strategy:evaluation_open": CellPage(STRATEGIC, post_only=True),
    "strategy:evaluation_compare": CellPage(STRATEGIC),
}
MARKERS: tuple[str, ...] = (
    "Priority-A-only",
    "Objective-A-only",
    "Note-A-only",
    "Document-A-only",
    "Finding-A-only",
    "Comment-A-only",
)


def pdf_bytes() -> bytes:
    """A small valid PDF of one blank page."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def cell_objects(cell: Cell, users: dict[Role, User], marker: str) -> dict[str, Model]:
    """A priority, an objective with a note, a document with a file, a finding, and the open
    self-evaluation of this year, answered by the chair (with a comment)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    writer = users[K]
    organisation = Organisation.objects.filter(cell=cell, is_active=True).order_by("pk").first()
    assert organisation is not None
    priority = services.priority_create(
        actor=writer, cell=cell, year=YEAR, title=f"Priority-{marker}-only"
    )
    objective = services.objective_create(
        actor=writer,
        cell=cell,
        year=YEAR,
        priority=priority,
        title=f"Objective-{marker}-only",
        owner_organisation=organisation,
        owner_person=users[S],
    )
    services.progress_note_add(actor=writer, objective=objective, text=f"Note-{marker}-only")
    document = services.document_create(
        actor=writer,
        cell=cell,
        title=f"Document-{marker}-only",
        dated_on=date(2025, 1, 10),
        upload=SimpleUploadedFile("diagnosis.pdf", pdf_bytes()),
    )
    finding = services.finding_create(
        actor=writer,
        cell=cell,
        year=YEAR,
        theme=f"Finding-{marker}-only",
        text="Online polarisation among young people.",
        document=document,
    )
    evaluation = services.evaluation_open(actor=writer, cell=cell, year=timezone.localdate().year)
    services.evaluation_answer(
        actor=users[C],
        evaluation=evaluation,
        replies={"structure_charter_known": (4, f"Comment-{marker}-only")},
    )
    return {
        "strategy_priority": priority,
        "strategy_objective": objective,
        "strategy_document": document,
        "strategy_finding": finding,
        "strategy_evaluation": evaluation,
    }
