"""Form helpers shared by every app."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from khoi_portal.lib.vietnamese import nfc


class NFCFormMixin:
    """Normalise every text value a form cleans to NFC (pasted text is often NFD)."""

    def clean(self):
        cleaned = super().clean()  # type: ignore[misc]
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = nfc(value.strip())
        return cleaned


class PortalForm(NFCFormMixin, forms.Form):
    """A crispy, NFC-normalising form; the view's template renders the <form> and the button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
