from django.db import migrations


def sync(apps, schema_editor):
    from editorial.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("editorial", "0003_calendar_links"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
