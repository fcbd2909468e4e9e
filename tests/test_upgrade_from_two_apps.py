"""A database made by the code before the apps were re-cut (one subject per app) migrates
forward with every row kept, and exports the same content files.

The old code is taken from git (the commit before the re-cut), run in a subprocess to build a
database with demo content, a review request, a sign-off, a reminder and feedback; then this
code migrates that same database. Runs on SQLite, and on PostgreSQL when DATABASE_URL points
at one (a new database is made beside the test database and dropped afterwards).
"""

import filecmp
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

# The last commit with the two-app layout (articles and reviewers only).
BEFORE_RECUT = "88d3f246d7e2cf7f25997034ef0ce6fa2c41ba3c"
ROOT = Path(__file__).resolve().parents[1]
# The last migration of each app as the re-cut left them; later issues migrate further.
RECUT_MIGRATIONS = [
    ("reviewers", "0007_reviewer_photo_renditions"),
    ("articles", "0012_move_feedback_to_its_app"),
    ("feedback", "0001_initial"),
    ("editorial", "0002_roles"),
]

# Run in the old code after load_demo: the review work the moved models hold.
MAKE_REVIEW_WORK = """
import datetime
from django.contrib.auth.models import User
from django.utils import timezone
from articles.models import Article
from articles.services import record_feedback
from reviewers.models import Reviewer
from reviewers.reminders import send_review_reminders
from reviewers.services import decide_review, submit_for_review

writer = User.objects.get(username="writer")
helena = Reviewer.objects.get(slug="helena-marwick")
reviewed, waiting = Article.objects.filter(status="published").exclude(
    reviewer=helena
).order_by("slug")[:2]
review = submit_for_review(article=reviewed, reviewer=helena, requested_by=writer)
decide_review(
    review_request=review, user=helena.user, decision="approved", notes="Still accurate.",
    checklist={"accurate": True},
)
submit_for_review(
    article=waiting, reviewer=helena, requested_by=writer, due_on=timezone.localdate(),
    note="Please check the figures.",
)
assert len(send_review_reminders()) == 1
record_feedback(
    article=reviewed, helpful=True, comment="Clear, thank you.", client_address="192.0.2.1"
)
record_feedback(article=waiting, helpful=False, client_address="192.0.2.2")
"""

# Rows of every table, as JSON, in primary-key order: what must survive the migration.
DUMP_ROWS = """
import json, sys
from django.db import connection
rows = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        if table == "django_migrations":
            continue
        cursor.execute(f'SELECT * FROM "{table}"')
        names = [column[0] for column in cursor.description]
        rows[table] = [
            json.loads(json.dumps(dict(zip(names, row)), default=str))
            for row in cursor.fetchall()
        ]
json.dump(rows, sys.stdout)
"""

COUNT_MOVED = """
import json
from editorial.models import ReviewReminder, ReviewRequest, SignOff
from feedback.models import Feedback
print(json.dumps({
    "review_requests": ReviewRequest.objects.count(),
    "sign_offs": SignOff.objects.filter(is_imported=False).count(),
    "reminders": ReviewReminder.objects.count(),
    "feedback": Feedback.objects.exclude(comment="").count(),
}))
"""


def _old_code(into: Path) -> Path:
    if not shutil.which("git"):
        pytest.skip("needs git to take the code from before the re-cut")
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{BEFORE_RECUT}^{{commit}}"],
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.skip(f"needs the git history with commit {BEFORE_RECUT[:8]} (not a shallow clone)")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE_RECUT], capture_output=True, check=True
    )
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


@pytest.fixture
def database_url():
    """A new, empty database of the kind the suite runs on; dropped afterwards."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        yield None  # each run gets its own SQLite file (below)
        return
    import psycopg

    name = f"upgrade_{uuid.uuid4().hex[:12]}"
    admin = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    yield f"postgres://{credentials}@{admin['host']}:{admin['port']}/{name}"
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_from_before_the_recut_migrates_with_every_row_kept(tmp_path, database_url):
    old = _old_code(tmp_path / "old")
    env = {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_DEBUG": "1",  # load_demo makes the role accounts
        "DJANGO_SECRET_KEY": "upgrade-test-secret-key",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(code: Path, *args, stdin=None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=code,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"
        return done.stdout

    manage(old, "migrate", "--no-input")
    manage(old, "load_demo")
    manage(old, "shell", "-v", "0", "-c", MAKE_REVIEW_WORK)
    before = json.loads(manage(old, "shell", "-v", "0", "-c", DUMP_ROWS))
    manage(old, "export_content", str(tmp_path / "exported-before"))

    # First to the re-cut's own migrations, which must change nothing but where models live.
    for app, migration in RECUT_MIGRATIONS:
        manage(ROOT, "migrate", app, migration, "--no-input")
    after = json.loads(manage(ROOT, "shell", "-v", "0", "-c", DUMP_ROWS))

    assert json.loads(manage(ROOT, "shell", "-v", "0", "-c", COUNT_MOVED)) == {
        "review_requests": 2,
        "sign_offs": 1,
        "reminders": 1,
        "feedback": 1,
    }
    # Every row of every table is still there, unchanged; the moved models kept their tables.
    # Only the content types of the moved models name their new app.
    moved = {
        ("reviewers", "reviewrequest"): "editorial",
        ("reviewers", "signoff"): "editorial",
        ("reviewers", "reviewreminder"): "editorial",
        ("articles", "feedback"): "feedback",
    }
    content_types = before.pop("django_content_type")
    expected_content_types = [
        {**row, "app_label": moved.get((row["app_label"], row["model"]), row["app_label"])}
        for row in content_types
    ]
    assert sorted(after.pop("django_content_type"), key=lambda r: r["id"]) == sorted(
        expected_content_types, key=lambda r: r["id"]
    )
    for table, rows in before.items():
        kept = [{name: row[name] for name in rows[0]} for row in after[table]] if rows else []
        assert sorted(kept, key=_key) == sorted(rows, key=_key), f"rows of {table} changed"
    assert set(after) - set(before) == set(), "the migration made tables where none were needed"
    assert before["reviewers_signoff"] and before["articles_feedback"]
    # Then on to the newest migrations: the content exports the same, byte for byte.
    manage(ROOT, "migrate", "--no-input")
    manage(ROOT, "export_content", str(tmp_path / "exported-latest"))
    comparison = filecmp.dircmp(tmp_path / "exported-before", tmp_path / "exported-latest")
    assert _differences(comparison) == []


def _key(row: dict) -> str:
    return json.dumps(row, sort_keys=True)


def _differences(comparison: filecmp.dircmp) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    found += mismatch + errors
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found
