"""Sign-offs are signatures (editorial/signatures.py): the statement affirmed, how and
when the reviewer confirmed who they are; and final, like the audit trail."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from articles.models.records import trigger_statements

CREATE, DROP = trigger_statements("reviewers_signoff")


def forward(apps, schema_editor):
    """On PostgreSQL, refuse any UPDATE or DELETE of a recorded sign-off, whoever runs it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_final_records"),
        ("editorial", "0004_review_date_reminders"),
        ("reviewers", "0008_calendar_secret_moves_to_editorial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="signoff",
            name="confirmation_method",
            field=models.CharField(
                blank=True,
                choices=[("password", "Password"), ("authenticator", "Authenticator app code")],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="confirmed_at",
            field=models.DateTimeField(
                blank=True, help_text="When the reviewer confirmed who they are.", null=True
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="statement",
            field=models.TextField(
                blank=True, help_text="What the reviewer affirmed they reviewed. Empty for imports."
            ),
        ),
        migrations.AlterField(
            model_name="signoff",
            name="decided_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("confirmation_method", ""),
                    models.Q(
                        ("confirmation_method__in", ["password", "authenticator"]),
                        models.Q(("statement", ""), _negated=True),
                        ("confirmed_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="sign_off_signature_complete",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
