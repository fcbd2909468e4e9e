"""The full-text index of the live versions (articles/search_index.py): on SQLite an FTS5
table kept by triggers, on PostgreSQL a GIN index of the title's own vector beside the
weighted document of migration 0009."""

from django.db import migrations


def forward(apps, schema_editor):
    from articles import search_index

    search_index.install(schema_editor.connection)


def backward(apps, schema_editor):
    from articles import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_translations"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
