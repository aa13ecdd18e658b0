"""Widgets for forms with many rows (a 60-item score sheet has 120 inputs).

Django renders every widget through the template engine: an ``input.html`` that includes
``attrs.html`` and loops over the attributes, about 0.3 ms per field on the development
machine, which made the widgets half of the score sheet's CPU time (issue #8). These widgets
build the very same markup as Django's templates in Python (the widget's context, and so every
attribute BoundField adds — id, aria-invalid, aria-describedby — is unchanged);
tests/test_widgets.py compares the two outputs byte for byte.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def flat_attrs(attrs: dict) -> SafeString:
    """What django/forms/widgets/attrs.html renders: ` name="value"` for each attribute,
    ` name` alone for True, nothing for False; names and values escaped."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return mark_safe("".join(parts))


class _Direct:
    """Render from the widget's context without the template engine."""

    def _render(self, template_name, context, renderer=None):
        return self.direct_html(context["widget"])


class FastInput(_Direct):
    """django/forms/widgets/input.html."""

    def direct_html(self, widget: dict) -> SafeString:
        value = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', str(value)) if value is not None else "",
            flat_attrs(widget["attrs"]),
        )


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastTextarea(_Direct, forms.Textarea):
    """django/forms/widgets/textarea.html."""

    def direct_html(self, widget: dict) -> SafeString:
        value = widget["value"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            flat_attrs(widget["attrs"]),
            value if value else "",
        )
