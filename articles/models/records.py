"""Records that are part of the audit trail (sign-offs, published versions, audit entries):
once written they are never changed or deleted. The models and their querysets refuse it
here; on PostgreSQL a trigger refuses any UPDATE or DELETE of their rows from anywhere
(articles migration 0017, editorial 0005), except of the columns listed as derived."""

from django.db import models


class RecordIsFinal(Exception):
    """Raised on an attempt to change or delete a record of the audit trail."""


def _refuse(model, doing: str):
    raise RecordIsFinal(
        f"This {model._meta.verbose_name} is part of the audit trail and cannot be {doing}."
    )


class FinalRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if set(kwargs) - self.model.DERIVED_FIELDS:
            _refuse(self.model, "changed")
        return super().update(**kwargs)

    def delete(self):
        _refuse(self.model, "deleted")


class FinalRecord(models.Model):
    """A model whose rows are written once. DERIVED_FIELDS may still be refreshed: data
    computed again from the record (a stored page, image renditions), not part of it."""

    DERIVED_FIELDS: frozenset = frozenset()

    objects = FinalRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if not self._state.adding and (
            update_fields is None or set(update_fields) - self.DERIVED_FIELDS
        ):
            _refuse(type(self), "changed")
        super().save(*args, update_fields=update_fields, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self), "deleted")


# The trigger function the migrations attach to each table: TG_ARGV names its derived
# columns, the only ones an UPDATE may change.
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION healthsite_keep_final_record() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Rows of % are part of the audit trail and cannot be deleted.',
            TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - COALESCE(TG_ARGV, '{}')) IS DISTINCT FROM
       (to_jsonb(OLD) - COALESCE(TG_ARGV, '{}')) THEN
        RAISE EXCEPTION 'Rows of % are part of the audit trail and cannot be changed.',
            TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def trigger_statements(table: str, derived: frozenset = frozenset()) -> tuple[str, str]:
    """SQL to attach and to drop the trigger on a table (PostgreSQL only)."""
    arguments = ", ".join(f"'{column}'" for column in sorted(derived))
    create = (
        f"CREATE TRIGGER {table}_final BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION healthsite_keep_final_record({arguments})"
    )
    return create, f"DROP TRIGGER IF EXISTS {table}_final ON {table}"
