"""Each published version stores its card for listings beside its page (rendered_card), a
derived column the final-record trigger lets change on PostgreSQL. Nullable: adding it is an
ALTER TABLE ADD COLUMN, not a rebuild of the table (SQLite), at any number of versions."""

from django.db import migrations, models

from articles.models.records import trigger_statements

BEFORE = frozenset(["rendered_page", "rendered_with", "hero_width", "hero_height",
                    "hero_renditions", "search_document", "search_text"])  # fmt: skip
AFTER = BEFORE | {"rendered_card"}


def replace_trigger(derived):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            create, drop = trigger_statements("articles_publishedversion", derived)
            schema_editor.execute(drop)
            schema_editor.execute(create)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_latest_articles_index_the_planner_reads")]

    operations = [
        migrations.AddField(
            model_name="publishedversion",
            name="rendered_card",
            field=models.TextField(null=True, blank=True, editable=False),
        ),
        migrations.RunPython(replace_trigger(AFTER), replace_trigger(BEFORE)),
    ]
