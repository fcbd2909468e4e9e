"""PublishedVersion.search_document: on PostgreSQL, the weighted full-text document stored
once per version, so a search that matches many articles ranks stored vectors instead of
parsing every matching body again. A trigger fills it on every insert and on any change of
the title, summary or search text, whoever writes the row (the services, the importer,
bulk_create); the GIN index moves from the expression (0005) to the column."""

import django.contrib.postgres.search
from django.db import migrations

DOCUMENT = """
    setweight(to_tsvector('english'::regconfig, COALESCE({row}title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE({row}summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE({row}search_text, '')), 'C')
"""

FORWARD = [
    f"""
    CREATE FUNCTION articles_publishedversion_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document := {DOCUMENT.format(row="NEW.")};
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER articles_publishedversion_search_document
    BEFORE INSERT OR UPDATE OF title, summary, search_text ON articles_publishedversion
    FOR EACH ROW EXECUTE FUNCTION articles_publishedversion_search_document()
    """,
    f"UPDATE articles_publishedversion SET search_document = {DOCUMENT.format(row='')}",
    "DROP INDEX IF EXISTS published_version_search_idx",
    """
    CREATE INDEX published_version_search_document_idx
    ON articles_publishedversion USING GIN (search_document)
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS published_version_search_document_idx",
    """
    CREATE INDEX IF NOT EXISTS published_version_search_idx
    ON articles_publishedversion USING GIN ((""" + DOCUMENT.format(row="") + "))",
    """
    DROP TRIGGER IF EXISTS articles_publishedversion_search_document
    ON articles_publishedversion
    """,
    "DROP FUNCTION IF EXISTS articles_publishedversion_search_document()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_stored_article_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedversion",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
