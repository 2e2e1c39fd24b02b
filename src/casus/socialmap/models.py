"""The social map: partner offers and sector contact points, shared across the installation.

Knowledge editors write and publish them; everyone logged in reads what is published. Nothing
here is case content: a screening that refers a person to an offer keeps that fact on the
signal (``cases.Signal.referred_offer``), never here.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Province(models.TextChoices):
    """Where an offer or a contact point works: a province, Brussels, or all of Belgium."""

    BRUSSELS = "brussels", _("Brussels-Capital Region")
    ANTWERP = "antwerp", _("Antwerp")
    LIMBURG = "limburg", _("Limburg")
    EAST_FLANDERS = "east_flanders", _("East Flanders")
    WEST_FLANDERS = "west_flanders", _("West Flanders")
    FLEMISH_BRABANT = "flemish_brabant", _("Flemish Brabant")
    WALLOON_BRABANT = "walloon_brabant", _("Walloon Brabant")
    HAINAUT = "hainaut", _("Hainaut")
    LIEGE = "liege", _("Liège")
    LUXEMBOURG = "luxembourg", pgettext_lazy("Belgian province", "Luxembourg")
    NAMUR = "namur", _("Namur")
    NATIONAL = "national", _("All of Belgium")


class OfferSector(models.TextChoices):
    YOUTH_WORK = "youth_work", _("Youth work")
    WELFARE = "welfare", _("General welfare")
    MENTAL_HEALTH = "mental_health", _("Mental health care")
    EDUCATION = "education", _("Education and pupil guidance")
    EMPLOYMENT = "employment", _("Training and employment")
    HOUSING = "housing", _("Housing")
    FAMILY_SUPPORT = "family_support", _("Family and parenting support")
    JUSTICE_ASSISTANCE = "justice_assistance", _("Justice assistance and victim support")
    DIALOGUE = "dialogue", _("Religious and philosophical dialogue")
    DISENGAGEMENT = "disengagement", _("Disengagement and exit support")
    SPORT_LEISURE = "sport_leisure", _("Sport and leisure")
    ONLINE_SAFETY = "online_safety", _("Online safety and media literacy")
    OTHER = "other", pgettext_lazy("social map sector", "Other")


class AgeGroup(models.TextChoices):
    CHILDREN = "children", _("Children (up to 11)")
    ADOLESCENTS = "adolescents", _("Adolescents (12 to 17)")
    YOUNG_ADULTS = "young_adults", _("Young adults (18 to 25)")
    ADULTS = "adults", _("Adults (26 and over)")
    PARENTS = "parents", _("Parents and families")
    PROFESSIONALS = "professionals", _("Professionals and first-line workers")


class OfferLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    TURKISH = "tr", _("Turkish")
    OTHER = "other", pgettext_lazy("language", "Other")


class ContactSector(models.TextChoices):
    PUBLIC_TRANSPORT = "public_transport", _("Public transport")
    HOSPITALS = "hospitals", _("Hospitals")
    SCHOOLS = "schools", _("Schools")
    HIGHER_EDUCATION = "higher_education", _("Higher education")
    HOUSING_COMPANIES = "housing_companies", _("Social housing companies")
    SPORTS_CLUBS = "sports_clubs", _("Sports clubs")
    PLACES_OF_WORSHIP = "places_of_worship", _("Places of worship")
    PRISONS = "prisons", _("Prisons and justice houses")
    ONLINE_PLATFORMS = "online_platforms", _("Online platforms")
    OTHER = "other", pgettext_lazy("contact point sector", "Other")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("social map entry", "Draft")
    PUBLISHED = "published", pgettext_lazy("social map entry", "Published")
    ARCHIVED = "archived", pgettext_lazy("social map entry", "Archived")


class Facet(models.TextChoices):
    """The coded lists an offer may hold several values of (see ``OfferTag``)."""

    PROVINCE = "province", _("Region")
    AGE_GROUP = "age_group", _("Age group")
    LANGUAGE = "language", _("Language")


#: The codes each facet accepts.
FACET_CHOICES: dict[str, type[models.TextChoices]] = {
    Facet.PROVINCE: Province,
    Facet.AGE_GROUP: AgeGroup,
    Facet.LANGUAGE: OfferLanguage,
}


class Entry(models.Model):
    """What offers and contact points share: publication status, who wrote it, the version."""

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    municipalities = models.CharField(
        _("municipalities"),
        max_length=500,
        blank=True,
        help_text=_("Optional: the municipalities served, when not the whole region."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: ``SEARCH_FIELDS`` folded (lower case, no accents: ``knowledge.search.fold``), one per
    #: line; written by the services on every save and searched word by word with
    #: ``contains``, so that the search answers alike on SQLite and PostgreSQL (ADR 0030).
    search_text = models.TextField(editable=False, blank=True, default="")

    #: The fields the free-text search reads.
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Offer(Entry):
    """What a partner organisation offers, to whom and where, and whom to contact."""

    name = models.CharField(_("name of the offer"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    sector = models.CharField(_("sector"), max_length=24, choices=OfferSector.choices)
    description = models.TextField(_("what they offer"), max_length=5000)
    target_group = models.TextField(_("target group"), max_length=2000, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "organisation",
        "description",
        "target_group",
        "municipalities",
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering: ClassVar = ["name", "id"]
        indexes: ClassVar = [models.Index(fields=["status", "sector"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def codes(self, facet: str) -> list[str]:
        """The offer's codes of ``facet``, in the order of their list (uses prefetched tags)."""
        mine = {tag.code for tag in self.tags.all() if tag.facet == facet}
        return [code for code in FACET_CHOICES[facet].values if code in mine]

    def labels(self, facet: str) -> list[str]:
        choices = FACET_CHOICES[facet]
        return [str(choices(code).label) for code in self.codes(facet)]

    @property
    def province_labels(self) -> list[str]:
        return self.labels(Facet.PROVINCE)

    @property
    def age_group_labels(self) -> list[str]:
        return self.labels(Facet.AGE_GROUP)

    @property
    def language_labels(self) -> list[str]:
        return self.labels(Facet.LANGUAGE)


def _valid_codes() -> Q:
    condition = Q(pk__in=[])
    for facet, choices in FACET_CHOICES.items():
        condition |= Q(facet=facet, code__in=choices.values)
    return condition


class OfferTag(models.Model):
    """One coded value of an offer: a region it serves, an age group, a language.

    A row per value (rather than a list in one column) so that filters are plain indexed
    lookups on SQLite and PostgreSQL alike.
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="tags")
    facet = models.CharField(max_length=12, choices=Facet.choices)
    code = models.CharField(max_length=24)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["offer", "facet", "code"], name="socialmap_offertag_unique"
            ),
            models.CheckConstraint(condition=_valid_codes(), name="socialmap_offertag_known_code"),
        ]
        indexes: ClassVar = [models.Index(fields=["facet", "code"])]

    def __str__(self) -> str:
        return f"{self.facet}:{self.code}"


class ContactPoint(Entry):
    """A sector's contact point: e.g. the police contact for public transport, a hospital's
    liaison, the schools' contact at the education umbrella."""

    sector = models.CharField(_("sector"), max_length=24, choices=ContactSector.choices)
    organisation = models.CharField(_("organisation"), max_length=200)
    function = models.CharField(
        _("function"),
        max_length=200,
        help_text=_("The role reached here, e.g. “reference person radicalisation”."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    province = models.CharField(_("region"), max_length=20, choices=Province.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = (
        "organisation",
        "function",
        "contact_name",
        "municipalities",
        "notes",
    )

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering: ClassVar = ["sector", "organisation", "id"]
        indexes: ClassVar = [models.Index(fields=["status", "sector"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.function}"
