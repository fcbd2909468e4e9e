"""Build admin POST data the way a browser would: from the change form a GET rendered."""

import datetime

from django import forms
from taggit.utils import edit_string_for_tags


def _as_post_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple) and not value:
        return ""
    if isinstance(value, list | tuple) and hasattr(value[0], "name"):
        return edit_string_for_tags(value)
    return str(value)


def _form_data(form):
    data = {}
    for bound_field in form:
        if isinstance(bound_field.field, forms.FileField):
            continue  # leaving a file input empty keeps the stored file
        value = _as_post_value(bound_field.value())
        if value is not None:
            data[bound_field.html_name] = value
    return data


def change_form_data(response, **changes):
    """The POST data of the admin change form in ``response``, with ``changes`` applied."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    data["_save"] = "Save"
    data.update(changes)
    return data
