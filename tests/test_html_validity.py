"""Every public page type is valid HTML, checked by the Nu Html Checker (vnu.jar).

`make browser-deps` (run by `make test`) installs the checker into .cache/vnu/ with npm;
it needs Java. Without Java or the jar these tests skip.
"""

import json
import shutil
import subprocess

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from tests.public_pages import build_public_site

VNU_JAR = settings.BASE_DIR / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist"
VNU_JAR = VNU_JAR / "vnu.jar"
JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="HTML validation needs Java (the Nu Html Checker)"),
    pytest.mark.skipif(
        not VNU_JAR.exists(),
        reason=f"HTML validation needs the Nu Html Checker at {VNU_JAR}: run `make browser-deps`",
    ),
]


def validate(files) -> list[dict]:
    """The checker's messages for the files, each with the file's name as "url"."""
    result = subprocess.run(
        [JAVA, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if not result.stdout.strip():
        pytest.fail(f"the Nu Html Checker gave no report:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)["messages"]


def describe(message: dict) -> str:
    where = message.get("url", "").rsplit("/", 1)[-1]
    line = message.get("lastLine", "?")
    extract = message.get("extract", "").replace("\n", " ").strip()
    return f"{where}:{line}: {message['message']}\n    {extract}"


def test_every_public_page_is_valid_html(client, settings, tmp_path, capsys):
    settings.ARTICLES_PER_PAGE = 1  # the category page shows its pagination
    site = build_public_site(spanish=True)
    pages = {}
    for name, path in site.paths().items():
        response = client.get(path)
        assert response.status_code == 200, f"{name} page ({path}): {response.status_code}"
        pages[name] = response.content
    pages["category-page-2"] = client.get(f"{site.category.get_absolute_url()}?page=2").content
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    pages["404"] = not_found.content
    pages["500"] = render_to_string("500.html").encode()
    pages["503"] = render_to_string("503.html").encode()

    files = []
    for name, content in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(content)
        files.append(path)
    messages = validate(files)

    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    warnings = [m for m in messages if m not in errors]
    if warnings:
        with capsys.disabled():
            print(f"\nNu Html Checker: {len(warnings)} warning(s), allowed:")
            for message in warnings:
                print("  " + describe(message))
    assert not errors, f"{len(errors)} HTML error(s):\n" + "\n".join(map(describe, errors))
