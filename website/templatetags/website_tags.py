import datetime

from django import template

register = template.Library()


@register.filter
def as_date(value):
    """An ISO date string, as stored in a published version's JSON, as a date."""
    if isinstance(value, datetime.date) or not value:
        return value
    return datetime.date.fromisoformat(value)
