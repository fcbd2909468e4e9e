"""PublishedVersion.search_text: the plain text search matches, filled for existing versions;
on PostgreSQL, a GIN index over the weighted full-text vector that articles/search.py queries."""

from django.db import migrations, models

# The same expression articles.search.search_vector() builds (title A, summary B, body and
# FAQs C, English configuration), so PostgreSQL can answer searches from the index.
SEARCH_INDEX_NAME = "published_version_search_idx"
CREATE_SEARCH_INDEX = f"""
CREATE INDEX IF NOT EXISTS {SEARCH_INDEX_NAME} ON articles_publishedversion USING GIN ((
    setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(search_text, '')), 'C')
))
"""
DROP_SEARCH_INDEX = f"DROP INDEX IF EXISTS {SEARCH_INDEX_NAME}"


def fill_search_text(apps, schema_editor):
    # The function that build_version uses, so existing versions match new ones.
    from articles.markdown import searchable_text

    PublishedVersion = apps.get_model("articles", "PublishedVersion")
    batch = []
    for version in PublishedVersion.objects.only("body_html", "faqs").iterator(chunk_size=500):
        version.search_text = searchable_text(body_html=version.body_html, faqs=version.faqs)
        batch.append(version)
        if len(batch) == 500:
            PublishedVersion.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        PublishedVersion.objects.bulk_update(batch, ["search_text"])


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_review_intervals"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedversion",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
