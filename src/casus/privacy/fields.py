"""Model fields whose values are sealed at rest under their row's cell key (ADR 0019).

A field names where its row's cell is found, as a dotted attribute path (``cell=
"case.cell_id"``). ``pre_save`` seals the value under that cell's current key just before it is
written; reading a row opens it again. The instance keeps its plain value, so code works with
text and dates as before, but the database, its dumps and its backups only ever hold
``enc1:<key id>:…``.

Only ``save()`` and ``bulk_create`` seal (they call ``pre_save``): ``QuerySet.update`` and
``bulk_update`` with a plain value are refused, and so is any lookup by value (pattern and range
lookups do not even exist on these fields) — there is nothing to compare in the database.
Empty values stay empty. A value whose key is gone (a crypto-erased cell, a retired key) reads
as ``Erased``: empty text that still carries its sealed form, so that saving the row again does
not destroy it.
"""

import datetime
from typing import TYPE_CHECKING, Any

from django.db import models

from . import crypto


class Sealed(str):
    """A value already sealed for the database."""

    __slots__ = ()


class Erased(str):
    """A value that can no longer be opened; reads as empty text, keeps its sealed form."""

    __slots__ = ("token",)
    token: str

    def __new__(cls, token: str) -> "Erased":
        value = super().__new__(cls, "")
        value.token = token
        return value


def cell_of(instance: models.Model, path: str) -> int:
    """Follow a dotted attribute path from a row to its cell id."""
    value: Any = instance
    for part in path.split("."):
        value = getattr(value, part)
    if value is None:
        raise ValueError(f"{instance._meta.label} has no cell to seal its values under")
    return int(value)


class EncryptedMixin:
    """Seal on write, open on read; see the module docstring."""

    cell_path: str
    purpose: str
    attname: str
    column: str
    name: str

    def __init__(self, *args: Any, cell: str, **kwargs: Any) -> None:
        self.cell_path = cell
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs["cell"] = self.cell_path
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)  # type: ignore[misc]
        self.purpose = f"{cls._meta.label_lower}.{name}"

    def get_internal_type(self) -> str:
        return "TextField"

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def empty(self) -> Any:
        return ""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, Erased):
            return Sealed(value.token)
        if value is None or value == "":
            return value
        text = self.to_text(value)
        return Sealed(
            crypto.encrypt_text(
                text, cell_id=cell_of(model_instance, self.cell_path), purpose=self.purpose
            )
        )

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, Sealed):
            return str(value) if isinstance(value, Sealed) else value
        if isinstance(value, Erased):
            return value.token
        raise TypeError(
            f"{self.purpose} is encrypted: write it through save(); "
            "it cannot be compared or updated in SQL"
        )

    def get_lookup(self, lookup_name: str) -> Any:
        # Only emptiness can be asked of sealed text: a pattern or range over ciphertext would
        # silently find nothing.
        if lookup_name in ("exact", "isnull", "in"):
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # No backend date adaptation: the column holds text.
        return value if prepared else self.get_prep_value(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self.empty() if value == "" else None
        if not crypto.is_sealed(value):
            # Written before the field was encrypted; sealed at the next save or key rotation.
            return self.from_text(value)
        try:
            return self.from_text(crypto.decrypt_text(value, purpose=self.purpose))
        except crypto.Unreadable:
            return Erased(value)


if TYPE_CHECKING:
    _Text = models.TextField[Any, str]
    _Char = models.CharField[Any, str]
    _Date = models.DateField[Any, datetime.date | None]
else:
    _Text, _Char, _Date = models.TextField, models.CharField, models.DateField


class EncryptedTextField(EncryptedMixin, _Text):  # type: ignore[misc]
    """A narrative text sealed under its row's cell key."""


class EncryptedCharField(EncryptedMixin, _Char):  # type: ignore[misc]
    """A short text (a name) sealed under its row's cell key; ``max_length`` bounds the input."""


class EncryptedDateField(EncryptedMixin, _Date):  # type: ignore[misc]
    """A date (a birth date) sealed under its row's cell key."""

    def to_text(self, value: Any) -> str:
        if isinstance(value, datetime.date):
            return value.isoformat()
        parsed = self.to_python(value)
        return parsed.isoformat() if parsed is not None else ""

    def from_text(self, text: str) -> Any:
        return datetime.date.fromisoformat(text) if text else None

    def empty(self) -> Any:
        return None

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # DateField.pre_save would apply auto_now; encrypted dates never use it.
        return EncryptedMixin.pre_save(self, model_instance, add)
