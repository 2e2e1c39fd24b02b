"""Reads of the knowledge base: published fiches for everyone, drafts for editors too."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from casus.access.models import User
from casus.access.rules import InstallationAction, can_installation, require_installation
from casus.core.exceptions import Forbidden

from . import search
from .models import FicheStatus, PracticeFiche, PreventionLevel, Theme

_LEVEL_FILTERS = {
    PreventionLevel.PRIMARY: Q(level_primary=True),
    PreventionLevel.SECONDARY: Q(level_secondary=True),
    PreventionLevel.TERTIARY: Q(level_tertiary=True),
}


@dataclass(frozen=True)
class FicheFilters:
    """What the list narrows to; an empty value does not filter. Values are checked codes."""

    province: str = ""
    domain: str = ""
    level: str = ""
    theme: str = ""  # a Theme.key
    language: str = ""
    status: str = ""  # editors only: draft or published


def fiche_queryset_for(*, actor: User) -> QuerySet[PracticeFiche]:
    """The fiches ``actor`` may read: the published ones, and the drafts for editors."""
    fiches = PracticeFiche.objects.all()
    if not can_installation(actor, InstallationAction.KNOWLEDGE_EDIT):
        fiches = fiches.filter(status=FicheStatus.PUBLISHED)
    return fiches


def fiche_search(
    *, actor: User, query: str, filters: FicheFilters | None = None
) -> QuerySet[PracticeFiche]:
    """The fiches ``actor`` may read that match ``query`` and ``filters``, best match first.

    Without a query the newest publications come first. The ranking is the database's own
    (PostgreSQL full-text search or SQLite FTS5, see ``search``): same text analysis, same
    weights, the same question answered on both.
    """
    filters = filters or FicheFilters()
    fiches = fiche_queryset_for(actor=actor)
    if filters.province:
        fiches = fiches.filter(province=filters.province)
    if filters.domain:
        fiches = fiches.filter(domain=filters.domain)
    if filters.level in _LEVEL_FILTERS:
        fiches = fiches.filter(_LEVEL_FILTERS[PreventionLevel(filters.level)])
    if filters.theme:
        fiches = fiches.filter(themes__key=filters.theme)
    if filters.language:
        fiches = fiches.filter(language=filters.language)
    if filters.status and can_installation(actor, InstallationAction.KNOWLEDGE_EDIT):
        fiches = fiches.filter(status=filters.status)
    fiches = fiches.prefetch_related("themes")
    cleaned = search.clean_query(query or "")
    if not cleaned:
        return fiches.order_by("-published_on", "title", "pk")
    ranked = search.matching(fiches, cleaned)  # annotated with ``rank``
    return ranked.order_by(F("rank").desc(), "-published_on", "pk")


def fiche_get_for(*, actor: User, pk: int) -> PracticeFiche:
    """One fiche ``actor`` may read, or 404 (a draft is 404 for everyone but the editors)."""
    try:
        return fiche_queryset_for(actor=actor).prefetch_related("themes").get(pk=pk)
    except PracticeFiche.DoesNotExist:
        raise Forbidden("practice fiche") from None


def fiche_get_for_edit(*, actor: User, pk: int) -> PracticeFiche:
    """One fiche for a knowledge editor to change, or 404 for everyone else."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    return fiche_get_for(actor=actor, pk=pk)


def fiche_translations_for(*, actor: User, fiche: PracticeFiche) -> list[PracticeFiche]:
    """The translations of ``fiche`` that ``actor`` may read, by language."""
    if fiche.translation_group is None:
        return []
    return list(
        fiche_queryset_for(actor=actor)
        .filter(translation_group=fiche.translation_group)
        .exclude(pk=fiche.pk)
        .order_by("language")
    )


def translation_candidates_for(*, actor: User, fiche: PracticeFiche) -> QuerySet[PracticeFiche]:
    """Fiches an editor may link to ``fiche``: other languages, not linked to it already."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    candidates = PracticeFiche.objects.exclude(language=fiche.language).exclude(pk=fiche.pk)
    if fiche.translation_group is not None:
        candidates = candidates.exclude(translation_group=fiche.translation_group)
    return candidates.order_by("language", "title", "pk")


def theme_list_for(*, actor: User) -> QuerySet[Theme]:
    """The themes of the fiches ``actor`` may read, for the filter."""
    visible = fiche_queryset_for(actor=actor)
    return (
        Theme.objects.filter(fiches__in=visible)
        .annotate(uses=Count("fiches", distinct=True))
        .order_by("key")
    )
