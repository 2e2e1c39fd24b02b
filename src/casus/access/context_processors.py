"""Navigation for the base layout, decided by the permission engine (never by templates)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .rules import Action, InstallationAction, can, can_installation
from .selectors import membership_list_mine


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    cell = getattr(request, "cell", None)
    items: list[tuple[str, Any]] = []
    if user.is_authenticated and cell is not None:
        items.append((reverse("core:dashboard"), _("Dashboard")))
        if can(user, Action.SIGNAL_SUBMIT, cell):
            items.append((reverse("cases:signals"), _("Signals")))
        if can(user, Action.CASE_LIST, cell):
            items.append((reverse("cases:list"), _("Cases")))
        if can(user, Action.MEETING_LIST, cell):
            items.append((reverse("meetings:list"), _("Meetings")))
        if can(user, Action.EXCHANGE_READ, cell):
            items.append((reverse("meetings:register"), _("Exchanges")))
        if can(user, Action.SCENARIO_MANAGE, cell):
            items.append((reverse("cases:scenarios"), _("Scenarios")))
        if can(user, Action.HANDOVER_ACCEPT, cell):
            items.append((reverse("cases:handovers"), _("Handovers")))
        if can(user, Action.SETUP_VIEW, cell):
            items.append((reverse("setup:home"), _("Cell setup")))
        if can(user, Action.SETUP_APPROVE, cell):
            items.append((reverse("setup:approvals"), _("Approvals")))
        if can(user, Action.BREAK_GLASS_LIST, cell):
            items.append((reverse("privacy:break_glass_list"), _("Break-glass")))
        if can(user, Action.RETENTION_READ, cell):
            items.append((reverse("retention:runs"), _("Retention")))
        # Data-subject requests: the coordinator's and the chair's list, the reviewers' parts,
        # the DPO's decisions — one link, to the page of the reader's role.
        if can(user, Action.SUBJECT_REQUEST_COMPILE, cell) or can(
            user, Action.SUBJECT_REQUEST_DECIDE, cell
        ):
            items.append((reverse("privacy:subject_requests"), _("Data-subject requests")))
        elif can(user, Action.SUBJECT_REQUEST_REVIEW, cell):
            items.append((reverse("privacy:subject_reviews"), _("Data-subject requests")))
        elif can(user, Action.SUBJECT_REQUEST_DECISIONS, cell):
            items.append((reverse("privacy:subject_request_decisions"), _("Data-subject requests")))
        if can(user, Action.PROCESSING_RECORD_READ, cell):
            items.append((reverse("privacy:record"), _("Record of processing")))
        if can(user, Action.AUDIT_READ, cell):
            items.append((reverse("audit:events"), _("Audit log")))
        # The strategic table; members only answer the self-evaluation.
        if can(user, Action.STRATEGY_READ, cell):
            items.append((reverse("strategy:home"), _("Strategy")))
        elif can(user, Action.SELF_EVALUATION_ANSWER, cell):
            items.append((reverse("strategy:evaluations"), _("Self-evaluation")))
        if can(user, Action.MONITORING_PUBLISHED, cell):
            items.append((reverse("monitoring:dashboard"), _("Monitoring")))
        items.append((reverse("core:notifications"), _("Notifications")))
    if user.is_authenticated:
        # Practice fiches and the social map are shared by the whole installation.
        items.append((reverse("knowledge:list"), _("Knowledge base")))
        items.append((reverse("socialmap:offers"), _("Social map")))
    if user.is_authenticated and can_installation(user, InstallationAction.REGIONAL_VIEW):
        items.append((reverse("monitoring:regional"), _("Regional figures")))
    if user.is_authenticated and getattr(user, "is_installation_admin", False):
        items.append((reverse("installation:cells"), _("Installation")))
        items.append((reverse("regional_bodies:index"), _("Regional bodies")))
    several_cells = False
    if user.is_authenticated and cell is not None:
        several_cells = membership_list_mine(actor=user).exclude(cell=cell).exists()
    return {
        "nav_items": items,
        "active_cell": cell,
        "several_cells": several_cells,
        # Single sign-on configured: people may link their provider account (ADR 0022).
        "sso_enabled": bool(settings.CASUS_OIDC_SERVER_URL),
    }
