"""Build the POST of an admin change form from what its GET rendered (as a browser would submit it)."""

from __future__ import annotations

from typing import Any

from django import forms


def _field_data(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                data[f"{bound.html_name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is None:
            data[bound.html_name] = ""
        else:
            formatted = widget.format_value(value) if hasattr(widget, "format_value") else value
            data[bound.html_name] = "" if formatted is None else formatted
    return data


def change_form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """The data a "Save" of the rendered change form sends, with ``changes`` applied."""
    context = response.context
    data = _field_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.forms:
            data.update(_field_data(form))
    data.update(changes)
    data["_save"] = "Save"
    return data
