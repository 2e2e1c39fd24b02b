"""Practice fiches: the installation-wide knowledge base (product.md §5).

Fiches hold no cell data and no case content: every logged-in person reads the published ones,
knowledge editors write them. Writes go through ``services``; the search index (a tsvector
column on PostgreSQL, an FTS5 table on SQLite) is kept by ``search``.
"""

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

    _Vector = SearchVectorField[Any, Any]
else:
    _Vector = SearchVectorField


class StoredSearchVector(_Vector):
    """A ``tsvector`` column, filled on PostgreSQL only (NULL on SQLite, which uses FTS5).

    Django's field asks for ``django.contrib.postgres`` in INSTALLED_APPS, which the search
    does not need: the ``@@`` lookup, SearchQuery and SearchRank live in
    ``django.contrib.postgres.search`` itself. Its GIN index is created by migration 0001
    on PostgreSQL only (a GinIndex in Meta would break the SQLite schema).
    """

    def _check_postgres_installed(self, *args: object) -> list["CheckMessage"]:
        return []


class Language(models.TextChoices):
    """The language a fiche is written in (and the search configuration it is indexed with)."""

    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


class Province(models.TextChoices):
    """The ten provinces and the Brussels-Capital Region."""

    ANTWERP = "antwerp", _("Antwerp")
    LIMBURG = "limburg", _("Limburg")
    EAST_FLANDERS = "east_flanders", _("East Flanders")
    FLEMISH_BRABANT = "flemish_brabant", _("Flemish Brabant")
    WEST_FLANDERS = "west_flanders", _("West Flanders")
    HAINAUT = "hainaut", _("Hainaut")
    LIEGE = "liege", pgettext_lazy("province", "Liège")
    LUXEMBOURG = "luxembourg", pgettext_lazy("province", "Luxembourg")
    NAMUR = "namur", pgettext_lazy("province", "Namur")
    WALLOON_BRABANT = "walloon_brabant", _("Walloon Brabant")
    BRUSSELS = "brussels", _("Brussels-Capital Region")


class Domain(models.TextChoices):
    """What kind of practice a fiche describes."""

    CONSULTATION_PLATFORM = "consultation_platform", _("Consultation platform")
    INDIVIDUAL_FOLLOW_UP = "individual_follow_up", _("Individual follow-up")
    FAMILY_SUPPORT = "family_support", _("Family support")
    PREVENTION_PROJECT = "prevention_project", _("Prevention project")
    AWARENESS = "awareness", _("Awareness raising")
    TRAINING = "training", _("Training and coaching")
    EXIT_AND_REINTEGRATION = "exit_reintegration", _("Disengagement and reintegration")
    DIALOGUE = "dialogue", _("Community dialogue")
    LOCAL_DIAGNOSIS = "local_diagnosis", _("Local diagnosis")
    RESEARCH = "research", _("Research and evaluation")
    PROCEDURE = "procedure", _("Procedure or protocol")


class PreventionLevel(models.TextChoices):
    """Primary (everyone), secondary (groups at risk), tertiary (people in the process)."""

    PRIMARY = "primary", pgettext_lazy("prevention level", "Primary")
    SECONDARY = "secondary", pgettext_lazy("prevention level", "Secondary")
    TERTIARY = "tertiary", pgettext_lazy("prevention level", "Tertiary")


class FicheStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("fiche status", "Draft")
    PUBLISHED = "published", pgettext_lazy("fiche status", "Published")


class Theme(models.Model):
    """A tag of the knowledge base ("online", "schools", "prison"...), shared by all fiches."""

    name = models.CharField(_("name"), max_length=60)
    # The name folded to lower case without accents: one theme per spelling, and its filter key.
    key = models.CharField(_("key"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering: ClassVar = ["key"]

    def __str__(self) -> str:
        return self.name


class PracticeFiche(models.Model):
    """One practice of a municipality or an organisation, in the format of seed 000."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=1000)
    body = models.TextField(_("text"), max_length=20000)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # Free text, not access.Municipality: fiches describe practices of any Belgian (or foreign)
    # municipality, an intermunicipal zone or a province, most of them without a cell here.
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=20, choices=Province.choices, blank=True)
    domain = models.CharField(_("domain"), max_length=30, choices=Domain.choices)
    # Several levels may apply: three flags, filterable the same way on every database.
    level_primary = models.BooleanField(_("primary prevention"), default=False)
    level_secondary = models.BooleanField(_("secondary prevention"), default=False)
    level_tertiary = models.BooleanField(_("tertiary prevention"), default=False)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="fiches", verbose_name=_("themes")
    )
    contact = models.CharField(_("contact person"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FicheStatus.choices, default=FicheStatus.DRAFT
    )
    # Fiches that translate each other share a group, at most one per language (ADR 0029).
    translation_group = models.UUIDField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # PostgreSQL only (ADR 0029); written by ``search.index``, never by a form.
    search_vector = StoredSearchVector(null=True, editable=False)

    class Meta:
        verbose_name = _("practice fiche")
        verbose_name_plural = _("practice fiches")
        ordering: ClassVar = ["-published_on", "title", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["status", "published_on"], name="knowledge_fiche_status"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="knowledge_one_translation_per_lang"
            ),
            models.CheckConstraint(
                condition=models.Q(level_primary=True)
                | models.Q(level_secondary=True)
                | models.Q(level_tertiary=True),
                name="knowledge_fiche_has_a_level",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_on__isnull=False),
                name="knowledge_published_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def levels(self) -> list[str]:
        """The prevention levels that apply, as PreventionLevel values."""
        flags = {
            PreventionLevel.PRIMARY: self.level_primary,
            PreventionLevel.SECONDARY: self.level_secondary,
            PreventionLevel.TERTIARY: self.level_tertiary,
        }
        return [level for level, on in flags.items() if on]

    @property
    def level_labels(self) -> list[str]:
        return [str(PreventionLevel(level).label) for level in self.levels]

    @property
    def is_published(self) -> bool:
        return self.status == FicheStatus.PUBLISHED
