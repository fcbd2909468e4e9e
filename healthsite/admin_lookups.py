"""Admin list pages filter only on what their filters offer.

Django's admin takes a lookup on any field of the model as a URL filter
(``?calendar_token__regex=^4``) and shows how many rows match: a way to read any column of
any row a user may list, one character at a time, including secrets. ListedLookupsOnly
refuses (400) every lookup but those on a field of list_filter or date_hierarchy, or named
in ``extra_lookups``; lookups across relations must also pass Django's own check.
"""

from django.db.models.constants import LOOKUP_SEP


class ListedLookupsOnly:
    extra_lookups: tuple[str, ...] = ()

    def filterable_fields(self, request) -> set[str]:
        fields = set(self.extra_lookups)
        for entry in self.get_list_filter(request):
            if isinstance(entry, str):
                fields.add(entry)
            elif isinstance(entry, tuple | list):
                fields.add(entry[0])  # (field, FilterClass)
            elif getattr(entry, "parameter_name", None):
                fields.add(entry.parameter_name)  # a SimpleListFilter's own parameter
        if self.date_hierarchy:
            fields.add(self.date_hierarchy)
        return fields

    def lookup_allowed(self, lookup, value, request=None):
        fields = self.filterable_fields(request)
        if not any(lookup == name or lookup.startswith(name + LOOKUP_SEP) for name in fields):
            return False
        return super().lookup_allowed(lookup, value, request)
