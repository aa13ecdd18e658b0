"""Form helpers shared by every app."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _

from khoi_portal.lib.vietnamese import nfc
from khoi_portal.uploads import legacy_text_error

# Django's declared column ranges (PostgreSQL enforces them; SQLite stops at 64 bits with an
# OverflowError). A model choice's key outside its column's range cannot name a row.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
# A form's IntegerField without a max_value of its own stores into an IntegerField column
# (counts, years, versions): PostgreSQL's `integer`.
INTEGER_RANGE = INTEGER_RANGES["IntegerField"]


class NFCFormMixin:
    """Normalise every text value a form cleans to NFC (pasted text is often NFD).

    Also refuses, field by field, before any field is cleaned:

    - a NUL character in any submitted value (PostgreSQL cannot store one, and a lookup with
      one fails with a server error, not a form error);
    - a whole number the database column cannot hold: a model choice's key beyond its
      primary key's range (SQLite raises OverflowError on the lookup, PostgreSQL a DataError)
      and an IntegerField's value beyond PostgreSQL's `integer` unless the field sets its own
      bounds;

    and, once cleaned, free text typed in the legacy TCVN3/VNI fonts (unreadable once stored;
    the message says how to convert it)."""

    def full_clean(self):
        nul_fields = self._drop_values(lambda field, value: "\x00" in value, strip_nul=True)
        too_big = self._drop_values(_out_of_range)
        super().full_clean()  # type: ignore[misc]
        for name in nul_fields:
            self._replace_errors(
                name,
                ValidationError(
                    _("Nội dung có ký tự điều khiển NUL không hợp lệ: hãy gõ lại hoặc dán lại."),
                    code="null_characters_not_allowed",
                ),
            )
        for name in too_big:
            self._replace_errors(name, _out_of_range_error(self.fields[name]))  # type: ignore[attr-defined]

    def _drop_values(self, refused, *, strip_nul: bool = False) -> list[str]:
        """The fields with a raw value *refused(field, value)* holds; those values are taken
        out of the data (NUL characters only, when *strip_nul*) so that field cleaning, model
        choice lookups among it, never sends them to the database."""
        if not getattr(self, "is_bound", False):
            return []
        data = self.data  # type: ignore[has-type]
        found: dict[str, tuple[str, list]] = {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            values = _values(data, key)
            bad = [isinstance(v, str) and refused(field, v) for v in values]
            if any(bad):
                if strip_nul:
                    kept = [v.replace("\x00", "") if isinstance(v, str) else v for v in values]
                else:
                    kept = [v for v, b in zip(values, bad, strict=True) if not b]
                found[name] = (key, kept)
        if found:
            data = data.copy()
            for key, kept in found.values():
                if hasattr(data, "setlist"):
                    data.setlist(key, kept)
                elif isinstance(data.get(key), list | tuple):
                    data[key] = kept
                elif kept:
                    data[key] = kept[0]
                else:
                    data.pop(key, None)
            self.data = data
        return list(found)

    def _replace_errors(self, name: str, error: ValidationError) -> None:
        """The field's one error is *error* (not "required" because its value was dropped)."""
        if name not in self.fields:  # type: ignore[attr-defined]
            return
        self.errors.pop(name, None)  # type: ignore[attr-defined]
        self.add_error(name, error)  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean()  # type: ignore[misc]
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = nfc(value.strip())
                self._refuse_legacy_encoding(name, cleaned[name])
        return cleaned

    def _refuse_legacy_encoding(self, name: str, value: str) -> None:
        field = self.fields.get(name)  # type: ignore[attr-defined]
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
            return
        error = legacy_text_error(value)
        if error is not None:
            self.add_error(name, error)  # type: ignore[attr-defined]


def _values(data, key: str) -> list:
    """Every value posted under *key*: a QueryDict's list, or a plain dict's value or list."""
    if hasattr(data, "getlist"):
        return data.getlist(key)
    value = data.get(key)
    return list(value) if isinstance(value, list | tuple) else [value]


def _as_integer(field: forms.Field, value: str) -> int | None:
    """The whole number the field (or the key column's own conversion) reads in *value*."""
    try:
        if isinstance(field, forms.ModelChoiceField):
            return int(value)  # what the key column's get_prep_value does with it
        return field.to_python(value)
    except (ValueError, ValidationError):  # not a whole number: the field's cleaning refuses it
        return None


def _key_range(field: forms.ModelChoiceField) -> tuple[int, int] | None:
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    while key.is_relation:  # a one-to-one primary key: the column of the row it points to
        key = key.target_field
    return INTEGER_RANGES.get(key.get_internal_type())


def _out_of_range(field: forms.Field, value: str) -> bool:
    if isinstance(field, forms.ModelChoiceField):  # ModelMultipleChoiceField among them
        bounds = _key_range(field)
    elif isinstance(field, forms.IntegerField):
        bounds = (
            INTEGER_RANGE[0] if field.min_value is None else None,
            INTEGER_RANGE[1] if field.max_value is None else None,
        )
    else:
        return False
    number = _as_integer(field, value) if bounds else None
    if not isinstance(number, int):
        return False
    low, high = bounds
    return (low is not None and number < low) or (high is not None and number > high)


def _out_of_range_error(field: forms.Field) -> ValidationError:
    if isinstance(field, forms.ModelChoiceField):
        # Django's own wording: the number names no choice of the list.
        return ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": _("(số quá lớn)")},
        )
    return ValidationError(_("Số quá lớn hoặc quá nhỏ."), code="out_of_range")


class PortalForm(NFCFormMixin, forms.Form):
    """A crispy, NFC-normalising form; the view's template renders the <form> and the button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
