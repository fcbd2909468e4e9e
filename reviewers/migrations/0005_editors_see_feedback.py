from django.db import migrations


def sync(apps, schema_editor):
    from reviewers.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_feedback_renditions"),
        ("reviewers", "0004_reminders_calendar"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
