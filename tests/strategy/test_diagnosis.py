"""The local diagnosis: documents with an encrypted file, findings."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casus.audit.models import AuditEvent
from casus.cases import attachments as storage
from casus.core.exceptions import EditConflict, Forbidden, RuleViolation
from casus.strategy import services
from casus.strategy.models import DiagnosisDocument, Finding
from tests.conftest import World, ready_client

from .conftest import PDF, YEAR

pytestmark = pytest.mark.django_db


def _pdf(name: str = "diagnosis.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def test_a_document_with_its_file_stored_encrypted(world: World) -> None:
    document = services.document_create(
        actor=world.coordinator, cell=world.cell_a, title="Diagnosis 2025",
        dated_on=date(2025, 2, 1), source="Prevention service", upload=_pdf(),
    )  # fmt: skip
    assert (document.filename, document.content_type) == ("diagnosis.pdf", "application/pdf")
    on_disk = storage.attachment_path(document.storage_name).read_bytes()
    assert PDF not in on_disk  # encrypted at rest
    assert storage.open_stored(document.storage_name, document.file_key).read() == PDF
    [event] = AuditEvent.objects.filter(action="STRATEGY_DOCUMENT_SAVED")
    assert event.data["file"] is True and "filename" in event.data["fields"]


def test_only_pdf_or_office_documents_are_stored(world: World) -> None:
    text = SimpleUploadedFile("notes.txt", b"Plain notes.\n")
    with pytest.raises(RuleViolation, match="PDF or an office document"):
        services.document_create(
            actor=world.chair, cell=world.cell_a, title="X", dated_on=date(2025, 1, 1), upload=text
        )
    assert not DiagnosisDocument.objects.exists()
    assert not list(storage.attachment_dir().iterdir())  # nothing left behind


def test_document_refusals(world: World) -> None:
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(RuleViolation):
        services.document_create(actor=world.chair, cell=world.cell_a, title="X", dated_on=future)
    with pytest.raises(Forbidden):
        services.document_create(
            actor=world.partner1, cell=world.cell_a, title="X", dated_on=date(2025, 1, 1)
        )
    assert not AuditEvent.objects.filter(action="STRATEGY_DOCUMENT_SAVED").exists()


def test_a_new_file_replaces_the_old_one_and_a_stale_edit_is_refused(world: World) -> None:
    document = services.document_create(
        actor=world.chair, cell=world.cell_a, title="A", dated_on=date(2025, 1, 1), upload=_pdf()
    )
    old = document.storage_name
    assert old is not None
    with pytest.raises(EditConflict):
        services.document_update(
            actor=world.chair, document=document, title="B", dated_on=date(2025, 1, 1),
            version=5, upload=_pdf("new.pdf"),
        )  # fmt: skip
    assert len(list(storage.attachment_dir().iterdir())) == 1  # the refused upload is gone
    document = services.document_update(
        actor=world.chair, document=document, title="B", dated_on=date(2025, 1, 1), version=1,
        upload=_pdf("new.pdf"),
    )  # fmt: skip
    assert (document.title, document.filename, document.version) == ("B", "new.pdf", 2)
    assert document.storage_name != old


def test_findings_belong_to_a_year_and_maybe_a_document_of_the_cell(world: World) -> None:
    other = services.document_create(
        actor=world.member_b, cell=world.cell_b, title="B's", dated_on=date(2025, 1, 1)
    )
    with pytest.raises(RuleViolation):
        services.finding_create(
            actor=world.chair, cell=world.cell_a, year=YEAR, theme="T", text="x", document=other
        )
    with pytest.raises(RuleViolation):
        services.finding_create(actor=world.chair, cell=world.cell_a, year=YEAR, theme="T", text="")
    finding = services.finding_create(
        actor=world.strategic, cell=world.cell_a, year=YEAR, theme="Online", text="Rising."
    )
    finding = services.finding_update(
        actor=world.information_officer, finding=finding, year=YEAR, theme="Online",
        text="Rising fast.", version=1,
    )  # fmt: skip
    assert finding.version == 2
    with pytest.raises(EditConflict):
        services.finding_update(
            actor=world.chair, finding=finding, year=YEAR, theme="X", text="Y", version=1
        )
    assert Finding.objects.get().text == "Rising fast."
    events = AuditEvent.objects.filter(action="STRATEGY_FINDING_SAVED").order_by("id")
    assert [e.data["created"] for e in events] == [True, False]
    assert events[1].data["fields"] == ["text"]


def test_the_file_is_served_only_to_the_strategic_roles(world: World) -> None:
    document = services.document_create(
        actor=world.chair, cell=world.cell_a, title="A", dated_on=date(2025, 1, 1), upload=_pdf()
    )
    url = reverse("strategy:document_file", args=[document.pk])
    response = ready_client(world.strategic).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "no-store, private"
    assert "attachment" in response["Content-Disposition"]
    for user in (world.partner1, world.dpo, world.member_b):
        assert ready_client(user).get(url).status_code == 404


def test_upload_through_the_page_refuses_other_kinds_with_a_message(world: World) -> None:
    client = ready_client(world.coordinator)
    upload = SimpleUploadedFile("photo.txt", b"Plain text.\n")
    response = client.post(
        reverse("strategy:document_new"),
        {"title": "Diagnosis", "dated_on": "2025-01-01", "file": upload},
    )
    assert response.status_code == 400
    assert b"PDF or an office document" in response.content
    assert not DiagnosisDocument.objects.exists()
    response = client.post(
        reverse("strategy:document_new"),
        {"title": "Diagnosis", "dated_on": "2025-01-01", "file": _pdf()},
    )
    assert response.status_code == 302
    assert DiagnosisDocument.objects.get().filename == "diagnosis.pdf"
