"""The PDF case summary: what the reader may see of the case, watermarked with their name."""

from datetime import datetime

from django.utils import timezone

from casus.access.models import User
from casus.access.rules import CaseContext
from casus.core.pdf import html_to_pdf, render_html

from .identity import pseudonym
from .selectors.lifecycle import case_summary_for

TEMPLATE = "cases/pdf/case_summary.html"


def case_summary_filename(context: CaseContext) -> str:
    """The download name: the case reference only, never the person's name."""
    return f"case-{context.case.reference}.pdf"


def case_summary_html(
    *, reader: User, context: CaseContext, at: datetime | None = None, identity: bool = True
) -> str:
    """The HTML of the summary, filtered by the reader's rights and watermarked.

    Without ``identity`` the person is shown by a pseudonym only (the default export).
    """
    at = timezone.localtime(at or timezone.now())
    return render_html(
        TEMPLATE,
        {
            "case": context.case,
            "identity": identity,
            "pseudonym": pseudonym(identity_key=context.case.identity_key),
            "summary": case_summary_for(context=context),
            "reader_name": reader.full_name or reader.email,
            "printed_at": at,
        },
    )


def case_summary_pdf(
    *, reader: User, context: CaseContext, at: datetime | None = None, identity: bool = True
) -> bytes:
    """The PDF bytes of the case summary."""
    return html_to_pdf(case_summary_html(reader=reader, context=context, at=at, identity=identity))
