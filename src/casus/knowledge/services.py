"""Writes of the knowledge base: knowledge editors create, edit, publish and link fiches.

Every write checks ``InstallationAction.KNOWLEDGE_EDIT`` itself, runs in one transaction with
its audit event (installation-wide: no cell, chain 0) and keeps the search index current.
Audit rows carry ids, codes and field names; fiches are not case content, but the trail stays
as terse as every other.
"""

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from casus.access.models import User
from casus.access.rules import InstallationAction, require_installation
from casus.audit.services import audit_record
from casus.core.exceptions import EditConflict, RuleViolation

from . import search
from .models import FicheStatus, Language, PracticeFiche, PreventionLevel, Theme

MAX_THEMES = 12
THEME_MAX_LENGTH = 60
#: The fields a fiche's form edits (besides themes and prevention levels).
CONTENT_FIELDS = (
    "title",
    "summary",
    "body",
    "language",
    "municipality",
    "institution",
    "province",
    "domain",
    "contact",
    "source_url",
    "published_on",
)
_LEVEL_FIELDS = {
    PreventionLevel.PRIMARY: "level_primary",
    PreventionLevel.SECONDARY: "level_secondary",
    PreventionLevel.TERTIARY: "level_tertiary",
}
#: Checked by the model's own validation in ``_validate``; the rest is set by the services.
_NOT_VALIDATED = ("created_by", "updated_by", "search_vector", "translation_group", "version")


def _lock(fiche: PracticeFiche) -> PracticeFiche:
    return PracticeFiche.objects.select_for_update().get(pk=fiche.pk)


def _check_version(fiche: PracticeFiche, expected: int | None) -> None:
    """Refuse to save over a version the editor did not see (ADR 0016)."""
    if expected is not None and int(expected) != fiche.version:
        raise EditConflict(
            _(
                "Someone else changed this fiche meanwhile (now version %(current)s, you edited "
                "version %(expected)s). Nothing was overwritten: compare both versions below "
                "and save again."
            )
            % {"current": fiche.version, "expected": expected},
            current=fiche,
        )


def _touch(fiche: PracticeFiche, actor: User) -> None:
    fiche.version += 1
    fiche.updated_by = actor
    fiche.updated_at = timezone.now()


def theme_names_clean(names: list[str]) -> list[str]:
    """Themes as typed, trimmed, without empty or repeated ones (ignoring case and accents)."""
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        key = search.fold(name)
        if not name or key in seen:
            continue
        if len(name) > THEME_MAX_LENGTH:
            raise RuleViolation(
                _("Keep each theme under %(count)d characters.") % {"count": THEME_MAX_LENGTH}
            )
        seen[key] = name
    if len(seen) > MAX_THEMES:
        raise RuleViolation(_("Give at most %(count)d themes.") % {"count": MAX_THEMES})
    return list(seen.values())


def _themes(names: list[str]) -> list[Theme]:
    themes = []
    for name in theme_names_clean(names):
        theme, _created = Theme.objects.get_or_create(
            key=search.fold(name), defaults={"name": name}
        )
        themes.append(theme)
    return themes


def _set_levels(fiche: PracticeFiche, levels: list[str]) -> None:
    chosen = set(levels)
    if not chosen or not chosen <= set(PreventionLevel.values):
        raise RuleViolation(_("Choose at least one prevention level."))
    for level, field in _LEVEL_FIELDS.items():
        setattr(fiche, field, level in chosen)


def _validate(fiche: PracticeFiche) -> None:
    """The model's own rules (lengths, choices, URL), as a message the editor can act on."""
    if fiche.published_on and fiche.published_on > timezone.localdate():
        raise RuleViolation(_("The publication date cannot be in the future."))
    try:
        fiche.full_clean(exclude=_NOT_VALIDATED, validate_constraints=False)
    except ValidationError as error:
        problems = [
            f"{capfirst(_label(name))}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        raise RuleViolation(" ".join(problems)) from None


def _label(name: str) -> str:
    field = PracticeFiche._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _apply(fiche: PracticeFiche, fields: dict[str, Any], levels: list[str]) -> list[str]:
    """Set the given content fields and the levels; return the names of those that changed."""
    changed = []
    for name, raw in fields.items():
        value = raw
        if name != "published_on":
            value = str(raw or "").strip()
            if "\x00" in value:
                raise RuleViolation(_("The text contains characters that cannot be stored."))
        if getattr(fiche, name) != value:
            setattr(fiche, name, value)
            changed.append(name)
    before = fiche.levels
    _set_levels(fiche, levels)
    if fiche.levels != before:
        changed.append("prevention_levels")
    return changed


def fiche_create(
    *,
    actor: User,
    title: str,
    summary: str,
    body: str,
    language: str,
    domain: str,
    levels: list[str],
    themes: list[str] | None = None,
    municipality: str = "",
    institution: str = "",
    province: str = "",
    contact: str = "",
    source_url: str = "",
    published_on: date | None = None,
) -> PracticeFiche:
    """Write a new fiche as a draft: nobody but the editors sees it until it is published."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    fiche = PracticeFiche(created_by=actor, updated_by=actor)
    _apply(
        fiche,
        {
            "title": title,
            "summary": summary,
            "body": body,
            "language": language,
            "municipality": municipality,
            "institution": institution,
            "province": province,
            "domain": domain,
            "contact": contact,
            "source_url": source_url,
            "published_on": published_on,
        },
        levels,
    )
    _validate(fiche)
    with transaction.atomic():
        fiche.save()
        fiche.themes.set(_themes(themes or []))
        search.index(fiche)
        audit_record(
            actor=actor,
            action="KNOWLEDGE_FICHE_CREATED",
            obj=fiche,
            data={"language": fiche.language, "domain": fiche.domain},
        )
    return fiche


def fiche_update(
    *,
    actor: User,
    fiche: PracticeFiche,
    version: int | None,
    levels: list[str],
    themes: list[str],
    **fields: Any,
) -> PracticeFiche:
    """Save an editor's changes to ``fiche``, unless someone saved another version meanwhile."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fiche fields: {sorted(unknown)}")
    with transaction.atomic():
        fiche = _lock(fiche)
        _check_version(fiche, version)
        changed = _apply(fiche, fields, levels)
        _validate(fiche)
        if "language" in changed and fiche.translation_group is not None:
            _check_group_languages(
                [
                    *PracticeFiche.objects.filter(
                        translation_group=fiche.translation_group
                    ).exclude(pk=fiche.pk),
                    fiche,
                ]
            )
        new_themes = _themes(themes)
        if {t.pk for t in new_themes} != set(fiche.themes.values_list("pk", flat=True)):
            changed.append("themes")
        if not changed:
            return fiche
        _touch(fiche, actor)
        fiche.save()
        fiche.themes.set(new_themes)
        search.index(fiche)
        audit_record(
            actor=actor,
            action="KNOWLEDGE_FICHE_UPDATED",
            obj=fiche,
            data={"fields": sorted(changed), "version": fiche.version},
        )
    return fiche


def fiche_publish(
    *, actor: User, fiche: PracticeFiche, version: int | None = None
) -> PracticeFiche:
    """Make a draft readable by everyone; without a publication date it gets today's."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    with transaction.atomic():
        fiche = _lock(fiche)
        _check_version(fiche, version)
        if fiche.status == FicheStatus.PUBLISHED:
            raise RuleViolation(_("This fiche is already published."))
        fiche.status = FicheStatus.PUBLISHED
        fiche.published_on = fiche.published_on or timezone.localdate()
        _touch(fiche, actor)
        fiche.save()
        audit_record(
            actor=actor,
            action="KNOWLEDGE_FICHE_PUBLISHED",
            obj=fiche,
            data={"version": fiche.version},
        )
    return fiche


def fiche_unpublish(
    *, actor: User, fiche: PracticeFiche, version: int | None = None
) -> PracticeFiche:
    """Take a fiche back to draft: readers no longer see it, editors keep it."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    with transaction.atomic():
        fiche = _lock(fiche)
        _check_version(fiche, version)
        if fiche.status != FicheStatus.PUBLISHED:
            raise RuleViolation(_("This fiche is not published."))
        fiche.status = FicheStatus.DRAFT
        _touch(fiche, actor)
        fiche.save()
        audit_record(
            actor=actor,
            action="KNOWLEDGE_FICHE_UNPUBLISHED",
            obj=fiche,
            data={"version": fiche.version},
        )
    return fiche


# --- Translations -------------------------------------------------------------------------


def _check_group_languages(members: list[PracticeFiche]) -> None:
    seen: set[str] = set()
    for member in members:
        if member.language in seen:
            raise RuleViolation(
                _("These fiches cannot be linked: there would be two translations in %(lang)s.")
                % {"lang": Language(member.language).label}
            )
        seen.add(member.language)


def _regroup(actor: User, members: list[PracticeFiche], group: uuid.UUID | None) -> None:
    """Put ``members`` in ``group`` (None: no group), one audit event per fiche that moved."""
    for member in members:
        if member.translation_group == group:
            continue
        member.translation_group = group
        _touch(member, actor)
        member.save(update_fields=["translation_group", "version", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="KNOWLEDGE_FICHE_UPDATED",
            obj=member,
            data={"fields": ["translations"], "version": member.version},
        )


def _group_of(fiche: PracticeFiche) -> list[PracticeFiche]:
    if fiche.translation_group is None:
        return [fiche]
    return list(
        PracticeFiche.objects.select_for_update()
        .filter(translation_group=fiche.translation_group)
        .order_by("pk")
    )


def fiche_translation_link(
    *, actor: User, fiche: PracticeFiche, other: PracticeFiche
) -> PracticeFiche:
    """Link ``fiche`` and ``other`` as translations, and with them each one's translations.

    Fiches that translate each other share one group with at most one fiche per language, so
    the link always reads the same from both sides.
    """
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    if fiche.pk == other.pk:
        raise RuleViolation(_("A fiche cannot be its own translation."))
    with transaction.atomic():
        first, second = sorted((fiche, other), key=lambda f: f.pk)
        first, second = _lock(first), _lock(second)  # in pk order: no deadlock
        fiche, other = (first, second) if first.pk == fiche.pk else (second, first)
        if fiche.translation_group and fiche.translation_group == other.translation_group:
            raise RuleViolation(_("These fiches are already linked as translations."))
        members = _group_of(fiche) + _group_of(other)
        _check_group_languages(members)
        group = fiche.translation_group or other.translation_group or uuid.uuid4()
        _regroup(actor, members, group)
    fiche.refresh_from_db()
    return fiche


def fiche_translation_unlink(*, actor: User, fiche: PracticeFiche) -> PracticeFiche:
    """Take ``fiche`` out of its translations; a translation left alone is unlinked too."""
    require_installation(actor, InstallationAction.KNOWLEDGE_EDIT)
    with transaction.atomic():
        fiche = _lock(fiche)
        if fiche.translation_group is None:
            raise RuleViolation(_("This fiche is not linked to a translation."))
        rest = [member for member in _group_of(fiche) if member.pk != fiche.pk]
        _regroup(actor, [fiche], None)
        if len(rest) == 1:
            _regroup(actor, rest, None)
    return fiche
