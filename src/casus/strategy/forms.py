"""Input shapes of the strategy pages; the services check the rules."""

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import FIRST_YEAR, LAST_YEAR, ObjectiveStatus, Priority
from .questionnaire import DONT_KNOW, DONT_KNOW_LABEL, MODULES, SCORES, Statement
from .services.common import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from .services.diagnosis import DOCUMENT_EXTENSIONS, SOURCE_MAX_LENGTH, THEME_MAX_LENGTH
from .services.evaluation import COMMENT_MAX_LENGTH

MAX_VERSION = 2**31 - 1


def _year() -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)


def _text(label: Any, *, required: bool = False, limit: int = TEXT_MAX_LENGTH) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=limit, widget=forms.Textarea(attrs={"rows": 4})
    )


def _scope(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise RuntimeError("an invariant of this code")  # not input: a broken invariant
    field.queryset = queryset


class _PriorityChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Model) -> str:
        return f"{getattr(obj, 'year', '')} · {obj}"


class _DocumentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Model) -> str:
        return f"{getattr(obj, 'dated_on', '')} · {obj}"


class PriorityForm(forms.Form):
    year = _year()
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = _text(_("Description"))
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=999, initial=1, help_text=_("Lower comes first.")
    )


class PriorityEditForm(PriorityForm):
    version = _version()


class ObjectiveForm(forms.Form):
    year = _year()
    priority = _PriorityChoice(
        label=_("Priority"), queryset=Priority.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = _text(_("Description"))
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Priority.objects.none()
    )
    owner_person = forms.ModelChoiceField(
        label=_("Owner (a member of the cell)"), queryset=Priority.objects.none(), required=False
    )
    target_date = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        priorities: QuerySet[Any],
        organisations: QuerySet[Any],
        people: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, "priority", priorities)
        _scope(self, "owner_organisation", organisations)
        _scope(self, "owner_person", people)


class ObjectiveEditForm(ObjectiveForm):
    status = forms.ChoiceField(label=_("Status"), choices=ObjectiveStatus.choices)
    version = _version()


class ProgressNoteForm(forms.Form):
    text = _text(_("Note"))
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", pgettext_lazy("objective status", "Unchanged")), *ObjectiveStatus.choices],
    )
    # Required: a status change must say which version of the objective it changes.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text", "").strip() and not data.get("status"):
            raise forms.ValidationError(_("Write the note, or choose a new status."))
        return data


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    dated_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = _text(_("Summary"))
    source = forms.CharField(
        label=_("Source"),
        max_length=SOURCE_MAX_LENGTH,
        required=False,
        help_text=_("Who wrote it, or where it can be found."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Optional: a PDF or an office document (DOCX, XLSX, ODT). Stored encrypted."),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_EXTENSIONS}),
    )


class DocumentEditForm(DocumentForm):
    version = _version()


class FindingForm(forms.Form):
    year = _year()
    theme = forms.CharField(label=_("Theme"), max_length=THEME_MAX_LENGTH)
    text = _text(_("Finding"), required=True)
    document = _DocumentChoice(
        label=_("From the document"), queryset=Priority.objects.none(), required=False
    )

    def __init__(self, *args: Any, documents: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, "document", documents)


class FindingEditForm(FindingForm):
    version = _version()


class EvaluationOpenForm(forms.Form):
    year = _year()


_SCORE_CHOICES = [
    ("", pgettext_lazy("self-evaluation scale", "Not answered")),
    *((str(value), f"{value} · {label}") for value, label in SCORES),
    (DONT_KNOW, DONT_KNOW_LABEL),
]


def score_field(key: str) -> str:
    return key


def comment_field(key: str) -> str:
    return f"{key}__comment"


class AnswerForm(forms.Form):
    """The whole questionnaire: a score and an optional comment per statement."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for module in MODULES:
            for statement in module.statements:
                self.fields[score_field(statement.key)] = forms.ChoiceField(
                    label=statement.text,
                    choices=_SCORE_CHOICES,
                    required=False,
                    widget=forms.RadioSelect,
                )
                self.fields[comment_field(statement.key)] = forms.CharField(
                    label=_("Comment (optional, shown without your name)"),
                    required=False,
                    max_length=COMMENT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for module in MODULES:
            for statement in module.statements:
                comment = data.get(comment_field(statement.key), "")
                if comment.strip() and not data.get(score_field(statement.key)):
                    self.add_error(
                        comment_field(statement.key),
                        _('Choose an answer (or "don\'t know") to add a comment.'),
                    )
        return data

    def modules(self) -> list[tuple[Any, list[tuple[Statement, Any, Any]]]]:
        """The bound fields, module by module, for the page."""
        return [
            (
                module,
                [
                    (s, self[score_field(s.key)], self[comment_field(s.key)])
                    for s in module.statements
                ],
            )
            for module in MODULES
        ]

    def replies(self) -> dict[str, tuple[int | None, str] | None]:
        """The answers for ``evaluation_answer``: None for a statement not answered."""
        replies: dict[str, tuple[int | None, str] | None] = {}
        for module in MODULES:
            for statement in module.statements:
                score = self.cleaned_data.get(score_field(statement.key), "")
                comment = self.cleaned_data.get(comment_field(statement.key), "")
                if not score:
                    replies[statement.key] = None
                else:
                    replies[statement.key] = (None if score == DONT_KNOW else int(score), comment)
        return replies


def answer_initial(answers: dict[str, Any]) -> dict[str, str]:
    """The form's initial values from the respondent's stored answers."""
    initial: dict[str, str] = {}
    for key, answer in answers.items():
        initial[score_field(key)] = DONT_KNOW if answer.score is None else str(answer.score)
        initial[comment_field(key)] = answer.comment
    return initial
