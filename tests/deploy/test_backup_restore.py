"""The backup and restore drill of docs/operations.md: pg_dump the database and copy the
media, restore both into a new database and folder, and every public page of the restored
site is identical to the original's (issue 13, part 7). Needs PostgreSQL and pg_dump."""

import filecmp
import json
import re
import shutil
import subprocess

import pytest

from tests.servers import Gunicorn, PostgresDatabase, fetch, manage, production_env, shell

LIST_PAGES = """
import json
from django.urls import reverse
from articles.models import Article, Category
from reviewers.models import Reviewer
from taggit.models import Tag
from tests.public_pages import build_public_site
site = build_public_site()
paths = ["/", "/feed/", "/sitemap.xml", "/robots.txt", "/search/?q=back"]
paths += [a.get_absolute_url() for a in Article.objects.published()]
paths += [c.get_absolute_url() for c in Category.objects.all()]
paths += [r.get_absolute_url() for r in Reviewer.objects.all()]
paths += [reverse("website:tag", args=[t.slug]) for t in Tag.objects.all()]
print(json.dumps(paths))
"""

HOST = {"Host": "health.example.org"}


def pages(server, paths):
    result = {}
    for path in paths:
        status, _, body = fetch(server.url + path, headers=HOST)
        assert status == 200, path
        result[path] = body
    for path in sorted({s for body in list(result.values()) for s in sitemaps(body)}):
        result[path] = fetch(server.url + path, headers=HOST)[2]
    return result


def sitemaps(body):
    found = re.findall(r"https?://health\.example\.org/(sitemap-[^<]+\.xml)", body)
    return [f"/{name}" for name in found]


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is missing (postgresql-client)")
def test_a_restored_backup_serves_every_public_page_identically(tmp_path):
    original, restored = PostgresDatabase(), None
    servers = []
    try:
        env = production_env(
            tmp_path / "original",
            DATABASE_URL=original.url(),
            DJANGO_ALLOWED_HOSTS="health.example.org,127.0.0.1",
        )
        (tmp_path / "original").mkdir()
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        paths = json.loads(shell(env, LIST_PAGES).splitlines()[-1])
        servers.append(Gunicorn(env, workers=1))
        before = pages(servers[-1], paths)

        dump = tmp_path / "healthsite.dump"
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
                original.url(),
            ],  # fmt: skip
            check=True,
        )
        media = tmp_path / "backup-media"
        shutil.copytree(env["MEDIA_ROOT"], media)

        restored = PostgresDatabase(prefix="healthsite_restored")
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={restored.url()}",
                str(dump),
            ],  # fmt: skip
            check=True,
        )
        restored_env = {
            **env,
            "DATABASE_URL": restored.url(),
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
            "CACHE_URL": f"filecache://{tmp_path / 'restored-cache'}",
        }
        shutil.copytree(media, restored_env["MEDIA_ROOT"])
        manage(restored_env, "migrate", "--no-input", "-v0")
        servers.append(Gunicorn(restored_env, workers=1))
        after = pages(servers[-1], paths)

        assert after.keys() == before.keys()
        for path in before:
            assert after[path] == before[path], f"{path} differs after the restore"
        comparison = filecmp.dircmp(env["MEDIA_ROOT"], restored_env["MEDIA_ROOT"])
        assert not comparison.left_only and not comparison.diff_files
        images = {m for body in before.values() for m in re.findall(r"/media/([^\"' ]+)", body)}
        assert images, "the pages show uploaded images"
        for image in images:
            assert (tmp_path / "restored-media" / image).is_file(), image
    finally:
        for server in servers:
            server.stop()
        original.drop()
        if restored:
            restored.drop()
