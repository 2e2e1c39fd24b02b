"""The person's notifications in their active cell: reminders and notices, never content."""

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casus.core.htmx import CellRequest, render_page

from .models import Notification

#: The text of each kind; ``%(reference)s`` is the case number where there is one.
KIND_TEXTS: dict[str, Promise] = {
    "action_due": gettext_lazy("An action of case %(reference)s is due within a week."),
    "action_overdue": gettext_lazy("An action of case %(reference)s is overdue."),
    "review_due": gettext_lazy("Case %(reference)s is due for review."),
    "handover_received": gettext_lazy("Another cell sent a handover for you to decide on."),
    "break_glass_opened": gettext_lazy(
        "The chair opened case %(reference)s by break-glass; the next meeting reviews it."
    ),
    "purge_proposed": gettext_lazy("A retention purge awaits your approval."),
    "self_evaluation_opened": gettext_lazy("Your cell's self-evaluation is open for answers."),
    "subject_request_due": gettext_lazy(
        "Data-subject request %(reference)s must be answered within a week."
    ),
    "subject_request_overdue": gettext_lazy(
        "Data-subject request %(reference)s is past its deadline."
    ),
}
_FALLBACK = gettext_lazy("You have a new notice.")

#: How many notifications the page lists (the newest).
PAGE_SIZE = 200


def _mine(request: CellRequest) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(cell=request.cell) | Q(cell__isnull=True), user=request.user
    )


def notification_text(notification: Notification) -> str:
    """The translated sentence for a notification."""
    template = KIND_TEXTS.get(notification.kind, _FALLBACK)
    return str(template) % {"reference": notification.reference}


def notifications(request: CellRequest) -> HttpResponse:
    """List the person's notifications in the active cell, newest first."""
    rows = list(_mine(request).order_by("-created_at", "-id")[:PAGE_SIZE])
    items = [(n, notification_text(n)) for n in rows]
    unread = sum(1 for n in rows if n.read_at is None)
    return render_page(request, "core/notifications.html", {"items": items, "unread": unread})


@require_POST
def notifications_read(request: CellRequest) -> HttpResponse:
    """Mark every notification of the active cell as read."""
    count = _mine(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("core:notifications")
