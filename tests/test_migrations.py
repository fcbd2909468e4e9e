"""Migrations apply backwards to an empty schema and forwards again, on SQLite and PostgreSQL
(DATABASE_URL chooses), and afterwards the schema matches the models."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APPS = ["reviewers", "articles", "feedback", "editorial"]


def applied(app_label):
    executor = MigrationExecutor(connection)
    return sorted(name for app, name in executor.loader.applied_migrations if app == app_label)


def schema_problems():
    """Each model's table, columns and named constraints, as the database has them."""
    problems = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for app in APPS:
            for model in apps.get_app_config(app).get_models():
                table = model._meta.db_table
                if table not in tables:
                    problems.append(f"{model.__name__}: no table {table}")
                    continue
                columns = {
                    column.name
                    for column in connection.introspection.get_table_description(cursor, table)
                }
                for field in model._meta.local_concrete_fields:
                    if field.column not in columns:
                        problems.append(f"{model.__name__}: no column {field.column}")
                constraints = connection.introspection.get_constraints(cursor, table)
                for constraint in model._meta.constraints:
                    if constraint.name not in constraints:
                        problems.append(f"{model.__name__}: no constraint {constraint.name}")
    return problems


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_app_migrates_back_to_zero_and_forward_again():
    before = {app: applied(app) for app in APPS}
    assert all(before.values())

    for app in APPS:
        call_command("migrate", app, "zero", verbosity=0, interactive=False)
    assert {app: applied(app) for app in APPS} == {app: [] for app in APPS}
    left = [
        table
        for table in connection.introspection.table_names()
        if table.startswith(tuple(f"{app}_" for app in APPS))
    ]
    assert left == []

    call_command("migrate", verbosity=0, interactive=False)
    assert {app: applied(app) for app in APPS} == before
    assert schema_problems() == []
    # The roles' data migration ran again.
    from django.contrib.auth.models import Group

    assert {"Writer", "Medical reviewer", "Editor"} <= set(
        Group.objects.values_list("name", flat=True)
    )
    # And no model change lacks its migration (exits with status 1 if one does).
    call_command("makemigrations", "--check", "--dry-run", verbosity=1)
