"""The direct widgets render exactly what Django's widget templates render."""

from __future__ import annotations

import pytest
from django import forms

from khoi_portal.widgets import FastNumberInput, FastTextarea

ATTRS = {
    "step": "0.25",
    "min": "0",
    "max": "10",
    "inputmode": "decimal",
    "class": "form-control form-control-sm",
    "aria-label": 'Tự chấm "1.1" <b>',
    "required": True,
    "disabled": False,
}
VALUES = [None, "", "7.5", 0, "a&b <script>", "Dòng 1\nDòng 2"]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(
    ("fast", "django_widget"),
    [(FastNumberInput, forms.NumberInput), (FastTextarea, forms.Textarea)],
)
def test_it_renders_as_the_django_template(fast, django_widget, value):
    extra = {"id": "id_score_1", "aria-invalid": "true"}
    expected = django_widget(attrs=ATTRS).render("score_1", value, attrs=extra)
    assert fast(attrs=ATTRS).render("score_1", value, attrs=extra) == expected


def test_a_bound_field_with_errors_renders_the_same():
    class Slow(forms.Form):
        score = forms.CharField(widget=forms.NumberInput(attrs={"min": "0"}), max_length=3)
        text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Gợi ý")

    class Fast(forms.Form):
        score = forms.CharField(widget=FastNumberInput(attrs={"min": "0"}), max_length=3)
        text = forms.CharField(widget=FastTextarea(attrs={"rows": 2}), help_text="Gợi ý")

    data = {"score": "1234", "text": ""}
    slow, fast = Slow(data), Fast(data)
    assert not fast.is_valid()
    assert not slow.is_valid()
    assert str(fast["score"]) == str(slow["score"])
    assert str(fast["text"]) == str(slow["text"])
