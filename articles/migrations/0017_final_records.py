"""Published versions and audit entries are final (articles/models/records.py): users who
signed or acted are kept (PROTECT), an article with a trail is kept, and on PostgreSQL a
trigger refuses changing or deleting their rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from articles.models.records import TRIGGER_FUNCTION, trigger_statements

DERIVED = ["rendered_page", "rendered_with", "hero_width", "hero_height", "hero_renditions",
           "search_document", "search_text"]  # fmt: skip
TRIGGERS = [
    trigger_statements("articles_publishedversion", frozenset(DERIVED)),
    trigger_statements("articles_articleevent"),
]


def forward(apps, schema_editor):
    """On PostgreSQL, refuse any UPDATE or DELETE of published versions and audit entries
    but of a version's derived columns, whoever runs it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_FUNCTION, params=None)
        for create, _drop in TRIGGERS:
            schema_editor.execute(create)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _create, drop in TRIGGERS:
            schema_editor.execute(drop)
        schema_editor.execute("DROP FUNCTION IF EXISTS healthsite_keep_final_record()")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_search_document_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="articleevent",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.AlterField(
            model_name="articleevent",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="articleevent",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="publishedversion",
            name="published_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
