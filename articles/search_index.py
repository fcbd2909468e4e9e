"""The full-text index of what readers can find: the live versions' title, summary and
search text (body and FAQs), in each database's own full-text engine. website/search.py
queries it.

- **PostgreSQL**: ``PublishedVersion.search_document``, a weighted ``tsvector`` a trigger
  keeps (migration 0009), with a GIN index; and a GIN index on the title's own vector
  (``TITLE_DOCUMENT``), so search finds title matches first without ranking every match.
- **SQLite**: an FTS5 table (``SQLITE_TABLE``) whose rows are the live versions, its text
  read from ``articles_publishedversion`` (an external-content table, so the text is stored
  once). Triggers keep it in step with whatever writes the rows (the services, the importer,
  ``bulk_create``, ``update``): an article's live version changing, a live version's text
  changing, either row being deleted.

SQLite drops a table's triggers when a migration rebuilds the table, so ``ensure_installed``
runs after every ``migrate`` (post_migrate) and rebuilds the index if any trigger was gone.
"""

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

SQLITE_TABLE = "articles_version_search"
COLUMNS = ("title", "summary", "search_text")
TITLE_DOCUMENT = "to_tsvector('{config}'::regconfig, COALESCE({row}title, ''))"
POSTGRES_TITLE_INDEX = "published_version_title_document_idx"

_ADD = (
    f"INSERT INTO {SQLITE_TABLE} (rowid, title, summary, search_text) "
    "SELECT id, title, summary, search_text FROM articles_publishedversion WHERE id = {id}"
)
# An external-content FTS5 row is removed by giving the text it was indexed with.
_REMOVE = (
    f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, title, summary, search_text) "
    "SELECT 'delete', id, title, summary, search_text FROM articles_publishedversion "
    "WHERE id = {id}"
)

SQLITE_TRIGGERS = {
    "articles_search_article_insert": f"""
        AFTER INSERT ON articles_article WHEN NEW.live_version_id IS NOT NULL BEGIN
            {_ADD.format(id="NEW.live_version_id")};
        END""",
    "articles_search_article_update": f"""
        AFTER UPDATE OF live_version_id ON articles_article
        WHEN NEW.live_version_id IS NOT OLD.live_version_id BEGIN
            {_REMOVE.format(id="OLD.live_version_id")};
            {_ADD.format(id="NEW.live_version_id")};
        END""",
    "articles_search_article_delete": f"""
        AFTER DELETE ON articles_article WHEN OLD.live_version_id IS NOT NULL BEGIN
            {_REMOVE.format(id="OLD.live_version_id")};
        END""",
    # A live version's text changes only through a data fix or migration; a deleted live
    # version leaves the index (its article, deleted first, may already have removed it).
    "articles_search_version_update": f"""
        AFTER UPDATE OF title, summary, search_text ON articles_publishedversion
        WHEN EXISTS (SELECT 1 FROM articles_article WHERE live_version_id = NEW.id) BEGIN
            INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, title, summary, search_text)
            VALUES ('delete', OLD.id, OLD.title, OLD.summary, OLD.search_text);
            {_ADD.format(id="NEW.id")};
        END""",
    "articles_search_version_delete": f"""
        BEFORE DELETE ON articles_publishedversion
        WHEN EXISTS (SELECT 1 FROM articles_article WHERE live_version_id = OLD.id) BEGIN
            {_REMOVE.format(id="OLD.id")};
        END""",
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index on this database if it lacks it (or any trigger), and fill it."""
    if connection.vendor == "sqlite":
        _install_sqlite(connection)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {POSTGRES_TITLE_INDEX} ON articles_publishedversion "
                f"USING GIN (({TITLE_DOCUMENT.format(config='english', row='')}))"
            )


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_TITLE_INDEX}")


def _install_sqlite(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
            f"({', '.join(['%s'] * (len(SQLITE_TRIGGERS) + 1))})",
            [SQLITE_TABLE, *SQLITE_TRIGGERS],
        )
        present = {name for (name,) in cursor.fetchall()}
        if present == {SQLITE_TABLE, *SQLITE_TRIGGERS}:
            return
        # Words are stemmed (Porter) and accents folded, close to PostgreSQL's "english".
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5("
            f"{', '.join(COLUMNS)}, content='articles_publishedversion', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        for name, body in SQLITE_TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        rebuild(connection)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Index every live version again from scratch (SQLite; PostgreSQL needs nothing)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {SQLITE_TABLE} (rowid, title, summary, search_text) "
            "SELECT v.id, v.title, v.summary, v.search_text FROM articles_publishedversion v "
            "JOIN articles_article a ON a.live_version_id = v.id"
        )


MIGRATION = ("articles", "0015_version_search_index")


def ensure_installed(using, **kwargs) -> None:
    """post_migrate: put back what a table rebuild dropped, once migration 0015 is applied."""
    connection = connections[using]
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        install(connection)
