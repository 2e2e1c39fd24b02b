"""What each role reads on every page it may open: nothing of another cell, and in its own cell
only what product.md's permission matrix grants.

``test_cross_cell_urls`` checks who gets which status; this walk checks the content of the pages
that open. Cell A of its fixture gets a few more texts, each with the readers the matrix allows
(journal entries of each visibility, some marked for a meeting; an anonymous source; a
break-glass reason; a data-subject request). Every page of cell A that a role may open (class (a)
objects and (b) cell pages, PDFs as text) is read by that role, and by a member whose
organisation does not take part in the case but who is invited for its meeting item (M'); a
text outside its readers, or any marker of cell B, fails. Each text must show at least once to
a reader, so that the check can fail.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pypdf
import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from casus.access.models import Membership, Role, User
from casus.cases.models import SignalStatus, Visibility
from casus.cases.services.casefile import journal_entry_create
from casus.meetings.services.meetings import invitation_add

from . import test_cross_cell_urls
from .cases.factories import SignalFactory
from .test_cross_cell_urls import CLASSIFICATION, CellPage, Cells, ObjectUrl, _url

pytestmark = pytest.mark.django_db

#: The two cells with one object of every kind, from the cross-cell test.
cells_fixture = test_cross_cell_urls.cells

#: product.md's letters; M' is a member whose organisation does not take part in the case.
LETTERS = {
    Role.CHAIR: "C",
    Role.COORDINATOR: "K",
    Role.INFORMATION_OFFICER: "I",
    Role.MEMBER: "M",
    Role.STRATEGIC: "S",
    Role.DPO: "D",
    Role.CELL_ADMIN: "A",
}
OUTSIDER = "M'"


@dataclass(frozen=True)
class Secret:
    text: str
    letters: str  # who may see it (product.md's matrix): "C K I"
    why: str
    #: More readers on some pages: URL name → letters.
    also: tuple[tuple[str, str], ...] = ()

    def readers(self, name: str) -> frozenset[str]:
        return frozenset(self.letters.split() + dict(self.also).get(name, "").split())


#: Texts of cell A and who may read them. "Case" is the fixture's case (M's organisation, the
#: school, takes part and leads; M' is invited for its item of a published meeting); "held" is
#: the held meeting's case (C K I M present for its item). Nobody has a break-glass grant.
SECRETS = (
    Secret("Case-A-only", "C K I M M'", "the case's subject (overview; M' window)"),
    Secret("Summary-A-only", "C K I M M'", "coordinator's summary (M' window)"),
    Secret("Held-A-only", "C K I M", "the held case's subject"),
    Secret(
        "Journal-A-only",
        "K I M",
        "journal entry for all case participants",
        # The chair decides a data-subject request: the reply to an access request holds the
        # entries the organisations disclosed (this one, in the fixture's granted request).
        also=(("privacy:subject_request_response", "C"),),
    ),
    Secret("Meeting-entry-A-only", "K I M M'", "an entry marked for the meeting"),
    Secret("Police-entry-A-only", "I C", "police-only entry"),
    Secret("Police-meeting-A-only", "I C", "police-only entry marked for the meeting"),
    Secret("Police-held-A-only", "I C", "police-only entry of the held case"),
    Secret("School-own-A-only", "M", "school's own-organisation entry"),
    Secret("School-meeting-A-only", "M", "own-organisation entry marked for a meeting"),
    Secret("School-held-A-only", "M", "own-organisation entry of the held case"),
    Secret("Police-own-A-only", "I", "police zone's own-organisation entry"),
    Secret("Prevention-own-A-only", "K", "prevention service's own-organisation entry"),
    Secret("Source-A-only", "K I", "an anonymous source"),
    Secret("Signal-A-only", "K I M", "a signal awaiting screening (M reported it)"),
    Secret("Proposed-A-only", "C K I M", "a signal proposed to the chair"),
    Secret("Minutes-A-only", "C K I M", "minutes of the held item (present)"),
    Secret("Feedback-A-only", "C K I M", "feedback sheet of the held item (present)"),
    Secret("Exchange-A-only", "C K I", "information-exchange register"),
    Secret("Glass-reason-A-only", "C K", "break-glass reason (not for the DPO)"),
    Secret("Request-text-A-only", "C K I M", "a data-subject request's text"),
)

#: What must never appear on a page of cell A (objects of cell B, its people and its name).
CELL_B_MARKERS = ("-B-only", "Cell B", "School B", "Member B")
#: Pages of cell A that rightly name cell B: a handover from cell B's case (its minimal record
#: names the person, the sending cell and its contact).
NAMES_CELL_B = {"cases:handovers"}


def _text(response: HttpResponse) -> str:
    """The page as text; a PDF's text, page by page; a download's bytes."""
    streamed = response.streaming
    content = b"".join(response.streaming_content) if streamed else response.content  # type: ignore[attr-defined]
    if response.get("Content-Type", "").startswith("application/pdf"):
        reader = pypdf.PdfReader(io.BytesIO(content))
        return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return content.decode("utf-8", errors="replace")


def _more_of_cell_a(cells: Cells) -> User:
    """Add the texts of ``SECRETS`` to cell A; return M' (invited for the case's item)."""
    world, users, objects = cells.world, cells.users["a"], cells.objects["a"]
    case, held = objects["case"], objects["held_case"]
    coordinator, officer, member = (
        users[Role.COORDINATOR],
        users[Role.INFORMATION_OFFICER],
        users[Role.MEMBER],
    )
    case.summary = "Summary-A-only"  # type: ignore[attr-defined]
    case.save(update_fields=["summary"])
    past = timezone.localdate() - timedelta(days=2)
    for actor, on, text, visibility, for_meeting in (
        (member, case, "Meeting-entry-A-only", Visibility.ALL, True),
        (officer, case, "Police-entry-A-only", Visibility.POLICE, False),
        (officer, case, "Police-meeting-A-only", Visibility.POLICE, True),
        (officer, held, "Police-held-A-only", Visibility.POLICE, True),
        (member, case, "School-own-A-only", Visibility.OWN_ORGANISATION, False),
        (member, case, "School-meeting-A-only", Visibility.OWN_ORGANISATION, True),
        (member, held, "School-held-A-only", Visibility.OWN_ORGANISATION, True),
        (officer, case, "Police-own-A-only", Visibility.OWN_ORGANISATION, False),
        (coordinator, case, "Prevention-own-A-only", Visibility.OWN_ORGANISATION, False),
    ):
        journal_entry_create(
            actor=actor,
            case=on,  # type: ignore[arg-type]
            text=text,
            visibility=visibility,
            occurred_on=past,
            for_meeting=for_meeting,
        )
    # An outside reporter who stays anonymous: on the case's overview and on a signal's page.
    SignalFactory(
        cell=world.cell_a,
        case=case,
        status=SignalStatus.RETAINED,
        reported_by=None,
        entered_by=coordinator,
        source_description="Source-A-only",
        source_anonymous=True,
    )
    proposed = objects["proposed_signal"]
    proposed.reported_by = None  # type: ignore[attr-defined]
    proposed.source_organisation = None  # type: ignore[attr-defined]
    proposed.source_description = "Source-A-only"  # type: ignore[attr-defined]
    proposed.source_anonymous = True  # type: ignore[attr-defined]
    proposed.save()
    glass = objects["break_glass"]
    glass.reason = "Glass-reason-A-only"  # type: ignore[attr-defined]
    glass.save(update_fields=["reason"])
    for request in (objects["subject_request"], objects["decided_request"]):
        request.request_text = "Request-text-A-only"  # type: ignore[attr-defined]
        request.save(update_fields=["request_text"])
    # M': a member of another organisation (the OCMW), invited for the case's item.
    outsider: User = world.partner2
    membership = Membership.objects.get(user=outsider, cell=world.cell_a, ended_at__isnull=True)
    membership.approved_by = users[Role.CHAIR]
    membership.save(update_fields=["approved_by"])
    invitation_add(
        actor=coordinator,
        item=objects["case_item"],  # type: ignore[arg-type]
        membership=membership,
    )
    return outsider


def _visits(cells: Cells) -> Iterator[tuple[str, str, dict[str, Any], frozenset[Role]]]:
    """(URL name, URL, query, roles that open it) of every page of cell A that a GET opens;
    the held case's pages and its meeting item (roles not asserted: the walk's statuses are
    for the fixture's case); the DPO's reports filled in (a case's trail, a person's, unusual
    access; as pages and as CSV)."""
    for name, spec in CLASSIFICATION.items():
        if isinstance(spec, ObjectUrl) and not spec.post_only:
            yield name, _url(cells, name, spec, "a"), {}, spec.roles
        elif isinstance(spec, CellPage) and not spec.post_only:
            yield name, reverse(name), {}, spec.roles
    objects = cells.objects["a"]
    held_case, held_meeting = objects["held_case"].pk, objects["held_meeting"].pk
    for name in ("cases:detail", "cases:journal", "cases:pathway"):
        yield name, reverse(name, args=[held_case]), {}, frozenset()
    item = reverse("meetings:item", args=[held_meeting, objects["held_item"].pk])
    yield "meetings:item", item, {}, frozenset()
    case = objects["case"]
    for export in ({}, {"export": "csv"}):
        for name, query in (
            ("audit:case_trail", {"reference": case.reference}),  # type: ignore[attr-defined]
            ("audit:person_trail", {"person": cells.users["a"][Role.MEMBER].pk}),
            ("audit:unusual", {}),
        ):
            yield name, reverse(name), {**query, "days": 30, **export}, frozenset({Role.DPO})


def test_every_page_shows_each_role_only_what_it_may_read(cells_fixture: Cells) -> None:
    cells = cells_fixture
    outsider = _more_of_cell_a(cells)
    readers = [(LETTERS[role], role, user) for role, user in cells.users["a"].items()]
    readers.append((OUTSIDER, None, outsider))
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()  # (text, letter)
    opened = 0
    for name, url, query, allowed in _visits(cells):
        where = f"{name}{' ' + str(query) if query else ''}"
        for letter, role, user in readers:
            response = cells.client(user).get(url, query)
            if role in allowed:
                # The cross-cell walk checks statuses; here a page that does not open is a
                # page whose content goes unchecked.
                assert response.status_code == 200, (where, letter, response)
            if response.status_code != 200:
                continue
            opened += 1
            page = _text(response)
            if name not in NAMES_CELL_B:
                problems += [
                    f"{where} as {letter}: cell B's {marker!r}"
                    for marker in CELL_B_MARKERS
                    if marker in page
                ]
            for secret in SECRETS:
                if secret.text not in page:
                    continue
                if letter in secret.readers(name):
                    seen.add((secret.text, letter))
                else:
                    problems.append(f"{where} as {letter}: {secret.why} {secret.text!r}")
    assert problems == [], "\n".join(problems)
    assert opened > 100
    # Every text showed to one of its readers somewhere: the walk can see a leak of it.
    assert {secret.text for secret in SECRETS} - {text for text, _letter in seen} == set()
    # M' opened the item's dossier in the window (so the pages it opens were checked).
    assert {("Summary-A-only", OUTSIDER), ("Meeting-entry-A-only", OUTSIDER)} <= seen
