"""Each version's full-text document in its own language: a Spanish version is parsed with
PostgreSQL's 'spanish' text-search configuration (stemming, stop words), any other with
'english', as website/search.py parses the query (SEARCH_CONFIGS)."""

from django.db import migrations

CONFIG = "(CASE {row}language WHEN 'es' THEN 'spanish' ELSE 'english' END)::regconfig"
DOCUMENT = """
    setweight(to_tsvector({config}, COALESCE({row}title, '')), 'A')
    || setweight(to_tsvector({config}, COALESCE({row}summary, '')), 'B')
    || setweight(to_tsvector({config}, COALESCE({row}search_text, '')), 'C')
"""


def document(row: str) -> str:
    return DOCUMENT.format(config=CONFIG.format(row=row), row=row)


def function(body: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION articles_publishedversion_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document := {body};
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """


ENGLISH = """
    setweight(to_tsvector('english'::regconfig, COALESCE({row}title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE({row}summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE({row}search_text, '')), 'C')
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(function(document("NEW.")))
    schema_editor.execute(
        """
        DROP TRIGGER IF EXISTS articles_publishedversion_search_document
        ON articles_publishedversion
        """
    )
    schema_editor.execute(
        """
        CREATE TRIGGER articles_publishedversion_search_document
        BEFORE INSERT OR UPDATE OF title, summary, search_text, language
        ON articles_publishedversion
        FOR EACH ROW EXECUTE FUNCTION articles_publishedversion_search_document()
        """
    )
    schema_editor.execute(
        f"UPDATE articles_publishedversion SET search_document = {document('')} "
        "WHERE language <> 'en'"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(function(ENGLISH.format(row="NEW.")))
    schema_editor.execute(
        f"UPDATE articles_publishedversion SET search_document = {ENGLISH.format(row='')} "
        "WHERE language <> 'en'"
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_version_search_index")]

    operations = [migrations.RunPython(forward, backward)]
