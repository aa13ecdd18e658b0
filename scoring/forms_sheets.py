"""Forms of the score sheet: self scores, verification, evidence, replies, reopening.

The forms read and normalise what was typed; whether a score is in bounds and a multiple of
the round's step is the service's decision (one rule, one place, messages naming the item).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from khoi_portal.forms import PortalForm
from khoi_portal.lib.vietnamese import nfc
from khoi_portal.uploads import legacy_text_error
from khoi_portal.widgets import FastNumberInput, FastTextarea
from scoring.models import Entry

SCORE_MAX_LENGTH, TEXT_MAX_LENGTH = 20, 5000


class ScoreField(forms.CharField):
    """A score as typed: "20,5" and "20.5" both arrive; the service parses and bounds it.

    The widget is a number input (step, min, max, decimal keypad on phones). Values are
    handed to it as plain strings with a dot, never localised ("20,50" would render blank).
    """

    def __init__(
        self, *, max_points: Decimal, step: Decimal, label: str, kind: str = "normal", **kwargs
    ):
        attrs = {
            "step": _plain(step),
            "min": "0",
            "max": _plain(max_points),
            "inputmode": "decimal",
            "class": "form-control form-control-sm score-input",
            "aria-label": label,
            "data-kind": kind,
        }
        super().__init__(
            required=False,
            max_length=SCORE_MAX_LENGTH,
            label=label,
            widget=FastNumberInput(attrs=attrs),
            **kwargs,
        )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # maxlength is not an attribute of number inputs; the field still checks the length.
        attrs.pop("maxlength", None)
        return attrs

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return _plain(value)
        return value.replace(",", ".").strip() if isinstance(value, str) else value


def _plain(value: Decimal) -> str:
    """35.00 → "35", 20.50 → "20.5", 0.25 → "0.25": what a number input expects."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _as_decimal(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", ".").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None  # "sNaN" == 1 raises; the service refuses it


def _text_field(*, label: str) -> forms.CharField:
    """An entry's explanation or comment."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=FastTextarea(
            attrs={"rows": 2, "class": "form-control form-control-sm", "aria-label": label}
        ),
    )


def _copy_field(pattern: forms.Field, *, label: str, attrs: dict) -> forms.Field:
    """*pattern* with another label and some widget attributes changed (kept in their place):
    what Field.__deepcopy__ makes of it, without copy's generic machinery."""
    field = object.__new__(type(pattern))
    field.__dict__.update(pattern.__dict__)
    field.label = label
    field.error_messages = pattern.error_messages.copy()
    field.validators = pattern.validators[:]
    widget = object.__new__(type(pattern.widget))
    widget.__dict__.update(pattern.widget.__dict__)
    widget.attrs = pattern.widget.attrs | attrs
    field.widget = widget
    return field


class _EntriesForm(PortalForm):
    """One score field and one text field per entry, plus the sheet's version."""

    score_prefix = "score"
    text_prefix = "text"
    score_attr = "self_score"
    text_attr = "explanation"
    score_label = _("Tự chấm tiêu chí %(code)s")
    text_label = _("Diễn giải tiêu chí %(code)s")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, entries: list[Entry], step: Decimal, **kwargs):
        self.entries = entries
        initial = dict(kwargs.pop("initial", None) or {})
        for entry in entries:
            initial[self._score(entry)] = getattr(entry, self.score_attr)
            initial[self._text(entry)] = getattr(entry, self.text_attr)
        super().__init__(*args, initial=initial, **kwargs)
        # Two fields per entry, 120 on a 60-item sheet: built once as a pattern, then copied
        # with the entry's label and bounds, because constructing each (a deep copy of its
        # widget, the error messages gathered along the class tree) was a tenth of a save's
        # CPU time (issue #8). test_sheet_save_perf.py checks the copies equal built fields.
        score_pattern = ScoreField(max_points=Decimal(0), step=step, label="")
        text_pattern = _text_field(label="")
        score_label, text_label = str(self.score_label), str(self.text_label)  # translated once
        for entry in entries:
            code = entry.criterion.code
            label = score_label % {"code": code}
            self.fields[self._score(entry)] = _copy_field(
                score_pattern,
                label=label,
                attrs={
                    "max": _plain(entry.max_points),
                    "aria-label": label,
                    "data-kind": entry.criterion.kind,
                },
            )
            label = text_label % {"code": code}
            self.fields[self._text(entry)] = _copy_field(
                text_pattern, label=label, attrs={"aria-label": label}
            )

    @classmethod
    def posted(cls, data, *, missing="") -> tuple[int | None, dict[int, tuple]] | None:
        """The version and {entry id: (score, text)} a bound form of this class would clean
        out of *data*, for the entries whose fields were posted (*missing* for the other field
        of an entry when only one was posted: the form's "", or the service's UNCHANGED when
        the page sent only what changed); None when a value needs the
        form itself (an error to show, a NUL, a legacy encoding, a repeated key, an unusual
        version): the caller then builds the form.

        Building and cleaning 120 fields to read 120 plain strings was a third of a save's
        CPU time (issue #8). The rules are the form's: each value stripped, at most the
        field's length, NFC, no TCVN3/VNI text; test_sheet_post_fast.py checks the answers
        equal the form's on arbitrary posts. Keys the form has no field for are kept: the
        service ignores ids not on the sheet (``posted=True``)."""
        if len(data.getlist("version")) > 1:
            return None
        version = data.get("version")
        if version in (None, ""):
            version = None
        elif version.isascii() and version.strip().isdigit() and len(version.strip()) <= 9:
            version = int(version)
        else:
            return None
        heads = {
            f"{cls.score_prefix}_": (0, SCORE_MAX_LENGTH),
            f"{cls.text_prefix}_": (1, TEXT_MAX_LENGTH),
        }
        values: dict[int, list] = {}
        for key in data:
            head = key[: key.find("_") + 1]
            if head not in heads:
                continue
            number = key[len(head) :]
            if not (number.isascii() and number.isdigit()) or number != str(int(number)):
                continue  # no entry's field has this name
            index, limit = heads[head]
            raw = data.getlist(key)
            if len(raw) != 1 or not isinstance(raw[0], str) or "\x00" in raw[0]:
                return None
            value = raw[0].strip()
            if len(value) > limit:
                return None
            value = nfc(value)
            if value and legacy_text_error(value) is not None:
                return None
            values.setdefault(int(number), [missing, missing])[index] = value
        return version, {pk: (score, text) for pk, (score, text) in values.items()}

    def _score(self, entry: Entry) -> str:
        return f"{self.score_prefix}_{entry.pk}"

    def _text(self, entry: Entry) -> str:
        return f"{self.text_prefix}_{entry.pk}"

    def fields_of(self, entry: Entry) -> tuple[forms.BoundField, forms.BoundField]:
        return self[self._score(entry)], self[self._text(entry)]

    def values(self) -> dict[int, tuple[str, str]]:
        """{entry id: (score as typed, text)}: what the services take."""
        data = self.cleaned_data
        return {
            e.pk: (data.get(self._score(e)) or "", data.get(self._text(e)) or "")
            for e in self.entries
        }

    def differing(self) -> set[int]:
        """Entries whose typed values differ from the saved ones (after a refused stale save)."""
        data = self.cleaned_data
        changed = set()
        for entry in self.entries:
            typed = data.get(self._score(entry)) or ""
            saved = getattr(entry, self.score_attr)
            same_score = _as_decimal(typed) == saved if typed else saved is None
            same_text = (data.get(self._text(entry)) or "") == getattr(entry, self.text_attr)
            if not (same_score and same_text):
                changed.add(entry.pk)
        return changed

    def rebase(self, version: int) -> None:
        """Keep what was typed but carry the current version, so a deliberate second save
        (after reading the other person's values beside one's own) goes through."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)


class SheetForm(_EntriesForm):
    """The unit's self scores and explanations (Tự chấm, Diễn giải)."""


class VerificationForm(_EntriesForm):
    """The verifier's scores and comments (Điểm thẩm định, Nhận xét)."""

    score_prefix = "verified"
    text_prefix = "comment"
    score_attr = "verified_score"
    text_attr = "verifier_comment"
    score_label = _("Điểm thẩm định tiêu chí %(code)s")
    text_label = _("Nhận xét tiêu chí %(code)s")


class VersionForm(PortalForm):
    """Sending the sheet: the version the officer was looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("Lý do mở lại"),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Hãy ghi rõ lý do mở lại phiếu."),
            "min_length": _("Hãy ghi rõ lý do mở lại phiếu."),
        },
    )


class EvidenceForm(PortalForm):
    file = forms.FileField(
        label=_("Tệp minh chứng"),
        help_text=_("PDF, ảnh JPEG/PNG, Word hoặc Excel; tối đa 10 MB."),
        error_messages={
            "required": _("Hãy chọn tệp minh chứng."),
            "empty": _("Tệp minh chứng rỗng."),
        },
    )


class ReplyForm(PortalForm):
    reply = forms.CharField(
        label=_("Ý kiến giải trình của đơn vị"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy nhập ý kiến giải trình.")},
    )
