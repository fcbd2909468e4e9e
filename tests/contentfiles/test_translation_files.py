"""Content files carry a translation's language and source; import and export round-trip
them exactly."""

import pytest

from articles.models import Article
from contentfiles.exporter import export_content
from contentfiles.importer import ContentImportError, import_content

pytestmark = pytest.mark.django_db

CATEGORY = "---\nname: Sleep\n---\nAbout sleep.\n"
SOURCE = "---\nname: NHS\ntype: government_authority\nurl: https://www.nhs.uk/\n---\n"
REVIEWER = "---\nname: Dr Ada Lee\ncredentials: MD\n---\nA GP.\n"
ENGLISH = """---
title: How much sleep do adults need?
category: sleep
summary: Most adults need seven to nine hours.
author: Sam Writer
reviewer: ada-lee
reviewed_on: 2026-01-03
published_on: 2026-01-03
status: published
citations:
- key: nhs
  source: nhs
  title: Sleep and tiredness
  url: https://www.nhs.uk/sleep/
---
## Overview

Most adults need seven to nine hours.[^nhs]
"""
SPANISH = """---
title: ¿Cuánto necesitan dormir los adultos?
category: sleep
summary: La mayoría de los adultos necesita de siete a nueve horas.
author: Ana Escritora
reviewer: ada-lee
reviewed_on: 2026-02-03
published_on: 2026-02-03
status: published
language: es
translation_of: sleep-basics
citations:
- key: nhs
  source: nhs
  title: El sueño y el cansancio
  url: https://www.nhs.uk/sleep/
---
## Resumen

La mayoría de los adultos necesita de siete a nueve horas.[^nhs]
"""


def write_folder(root, **articles):
    for kind, slug, text in [
        ("categories", "sleep", CATEGORY),
        ("sources", "nhs", SOURCE),
        ("reviewers", "ada-lee", REVIEWER),
    ]:
        (root / kind).mkdir(parents=True, exist_ok=True)
        (root / kind / f"{slug}.md").write_text(text, encoding="utf-8")
    (root / "articles").mkdir(exist_ok=True)
    for slug, text in articles.items():
        (root / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")


def test_a_translation_round_trips_exactly(tmp_path):
    # The translation's file sorts before its source's: the importer writes sources first.
    write_folder(tmp_path / "in", **{"a-dormir": SPANISH, "sleep-basics": ENGLISH})
    import_content(directory=tmp_path / "in")

    translation = Article.objects.get(slug="a-dormir")
    source = Article.objects.get(slug="sleep-basics")
    assert (translation.language, translation.translation_of) == ("es", source)
    assert translation.live_version.source_version == source.live_version
    assert translation.live_version.language == "es"

    export_content(directory=tmp_path / "out")
    for slug in ("a-dormir", "sleep-basics"):
        exported = (tmp_path / "out" / "articles" / f"{slug}.md").read_text(encoding="utf-8")
        original = (tmp_path / "in" / "articles" / f"{slug}.md").read_text(encoding="utf-8")
        assert [
            line
            for line in exported.splitlines()
            if line.startswith(("language", "translation_of"))
        ] == [
            line
            for line in original.splitlines()
            if line.startswith(("language", "translation_of"))
        ]
    report = import_content(directory=tmp_path / "out")
    assert report.counts["versions"].created == 0  # nothing changed
    assert report.counts["articles"].unchanged == 2


def test_a_translation_must_name_an_article_in_another_language(tmp_path):
    write_folder(
        tmp_path,
        **{
            "sleep-basics": ENGLISH,
            "copy": ENGLISH.replace("title: How", "title: Copy").replace(
                "status: published", "status: published\ntranslation_of: sleep-basics"
            ),
        },
    )
    with pytest.raises(ContentImportError) as refused:
        import_content(directory=tmp_path)
    assert "in English too" in str(refused.value)


def test_an_unknown_language_or_source_is_refused(tmp_path):
    write_folder(
        tmp_path,
        **{
            "x": SPANISH.replace("language: es", "language: fr").replace(
                "translation_of: sleep-basics", "translation_of: nowhere"
            )
        },
    )
    with pytest.raises(ContentImportError) as refused:
        import_content(directory=tmp_path)
    message = str(refused.value)
    assert "language" in message and "nowhere" in message
