"""Forms of the knowledge base: the search (GET) and an editor's fiche."""

from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casus.core.exceptions import RuleViolation

from . import search, services
from .models import Domain, FicheStatus, Language, PracticeFiche, PreventionLevel, Province, Theme
from .selectors import FicheFilters

ANY = [("", pgettext_lazy("filter", "All"))]


class SearchForm(forms.Form):
    """The list's search box and filters; every value is checked, none reaches SQL as text."""

    q = forms.CharField(
        label=_("Search the practice fiches"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        help_text=_(
            'Words in any order; "quotes" for an exact phrase, OR for either word, '
            "-word to leave a word out."
        ),
    )
    province = forms.ChoiceField(
        label=_("Province"), choices=ANY + Province.choices, required=False
    )
    domain = forms.ChoiceField(label=_("Domain"), choices=ANY + Domain.choices, required=False)
    level = forms.ChoiceField(
        label=_("Prevention level"), choices=ANY + PreventionLevel.choices, required=False
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=ANY, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + Language.choices, required=False
    )

    def __init__(self, *args: Any, themes: list[Theme], editor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme_field = cast(forms.ChoiceField, self.fields["theme"])
        theme_field.choices = ANY + [(theme.key, theme.name) for theme in themes]
        if editor:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=ANY + FicheStatus.choices, required=False
            )

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    def filters(self) -> FicheFilters:
        if not self.is_valid():
            return FicheFilters()
        data = self.cleaned_data
        return FicheFilters(
            province=data["province"],
            domain=data["domain"],
            level=data["level"],
            theme=data["theme"],
            language=data["language"],
            status=data.get("status", ""),
        )


class FicheForm(forms.ModelForm[PracticeFiche]):
    """A fiche as its editor writes it; themes as comma-separated words."""

    levels = forms.MultipleChoiceField(
        label=_("Prevention levels"),
        choices=PreventionLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one prevention level.")},
    )
    themes_text = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=services.MAX_THEMES * (services.THEME_MAX_LENGTH + 2),
        help_text=_("Separate themes with commas, for example: schools, online, families."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = PracticeFiche
        fields = [
            "title",
            "summary",
            "body",
            "language",
            "domain",
            "province",
            "municipality",
            "institution",
            "contact",
            "source_url",
            "published_on",
        ]
        widgets = {  # noqa: RUF012 — Django's Meta
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {  # noqa: RUF012
            "body": _("Plain text; leave an empty line between paragraphs."),
            "contact": _("A name and a professional e-mail address or telephone number."),
            "published_on": _("When the practice was published; empty: the day you publish."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fiche = self.instance
        # An edit must say which version it changes: without it, nothing can tell a stale
        # edit from a fresh one.
        self.fields["version"].required = bool(fiche.pk)
        if fiche.pk and not self.is_bound:
            self.initial.update(
                {
                    "levels": fiche.levels,
                    "themes_text": ", ".join(t.name for t in fiche.themes.all()),
                    "version": fiche.version,
                }
            )
        source = self.fields["source_url"]
        source.validators = [URLValidator(schemes=["https", "http"])]
        self.order_fields(
            [*self.Meta.fields[:5], "levels", "themes_text", *self.Meta.fields[5:], "version"]
        )

    def _post_clean(self) -> None:
        """Leave the instance alone: the service writes the fiche (and validates it again)."""

    def clean_published_on(self) -> Any:
        value = self.cleaned_data.get("published_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The publication date cannot be in the future."))
        return value

    def clean_themes_text(self) -> list[str]:
        names = self.cleaned_data.get("themes_text", "").split(",")
        try:
            return services.theme_names_clean(names)
        except RuleViolation as error:
            raise forms.ValidationError(error.message) from None

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values, as the services take them."""
        data = dict(self.cleaned_data)
        data["themes"] = data.pop("themes_text")
        data.pop("version", None)
        return data


class _FicheChoiceField(forms.ModelChoiceField[PracticeFiche]):
    def label_from_instance(self, obj: PracticeFiche) -> str:
        return f"{obj.title} ({obj.get_language_display()})"


class TranslationForm(forms.Form):
    """The fiche to link as a translation, among the candidates the selector allows."""

    other = _FicheChoiceField(
        label=_("Translation"),
        queryset=PracticeFiche.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a fiche from the list.")},
    )

    def __init__(self, *args: Any, candidates: QuerySet[PracticeFiche], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_FicheChoiceField, self.fields["other"]).queryset = candidates
