import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image
from taggit.models import Tag

from articles.models import FAQ, Article, ArticleStatus, Category, Citation, Source
from contentfiles.exporter import export_content
from contentfiles.importer import ContentImportError, import_content
from reviewers.models import Reviewer
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    CitationFactory,
    FAQFactory,
    ReviewerFactory,
    SourceFactory,
    delete_all_articles,
    image_file,
)

pytestmark = pytest.mark.django_db

ARTICLE = {
    "title": "How much sleep do adults need?",
    "category": "sleep",
    "tags": ["sleep", "adults"],
    "summary": "Most adults need seven to nine hours.",
    "author": "Sam Writer",
    "reviewer": "ada-lovelace",
    "reviewed_on": datetime.date(2026, 1, 3),
    "next_review_due": datetime.date(2027, 1, 3),
    "published_on": datetime.date(2026, 1, 5),
    "status": "published",
    "hero_image": "images/articles/sleep.png",
    "hero_alt": "A crescent moon over a bed.",
    "hero_credit": "Illustration: test",
    "sample": True,
    "citations": [
        {
            "key": "nhs-sleep",
            "source": "nhs",
            "title": "How to get to sleep",
            "url": "https://www.nhs.uk/sleep/",
            "year": 2025,
            "accessed_on": datetime.date(2025, 12, 1),
        },
        {
            "key": "walker-2017",
            "source": "nhs",
            "title": "Sleep and health",
            "url": "https://doi.org/10.1000/sleep",
            "authors": "Walker M",
            "doi": "10.1000/sleep",
            "pmid": "12345",
        },
    ],
    "faqs": [
        {"question": "Is napping bad?", "answer": "Short naps are fine."},
        {"question": "Can I catch up?", "answer": "Partly.\n\n- Keep a routine."},
    ],
}
BODY = "## Overview\n\nAdults need 7–9 hours.[^nhs-sleep] Too little harms health.[^walker-2017]"


def write_md(path: Path, front_matter: dict, body: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8")


def write_image(path: Path, image_format="JPEG", color=(200, 80, 80)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), color).save(path, format=image_format)


def write_article(root: Path, slug="sleep-basics", body=BODY, **changes) -> None:
    front_matter = {k: v for k, v in (ARTICLE | changes).items() if v is not None}
    write_md(root / "articles" / f"{slug}.md", front_matter, body)


@pytest.fixture
def content(tmp_path) -> Path:
    """A valid folder: a category, a source, a reviewer with photo, a published article, a draft."""
    root = tmp_path / "content"
    write_md(root / "categories/sleep.md", {"name": "Sleep"}, "Rest and how to get it.")
    write_md(
        root / "sources/nhs.md",
        {
            "name": "NHS",
            "type": "government_authority",
            "url": "https://www.nhs.uk/",
        },
        "The UK's health service.",
    )
    write_image(root / "images/reviewers/ada.jpg")
    write_md(
        root / "reviewers/ada-lovelace.md",
        {
            "name": "Ada Lovelace",
            "credentials": "MD",
            "specialty": "Sleep medicine",
            "photo": "images/reviewers/ada.jpg",
        },
        "Ada reviews sleep articles.",
    )
    write_image(root / "images/articles/sleep.png", image_format="PNG")
    write_article(root)
    draft = {"title": "Naps", "category": "sleep", "summary": "Short.", "author": "Sam"}
    write_md(root / "articles/naps.md", draft, "Nap less.")
    return root


def import_errors(directory: Path) -> list[str]:
    with pytest.raises(ContentImportError) as raised:
        import_content(directory=directory)
    return raised.value.errors


def media_files(settings) -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def assert_database_empty():
    for model in (Category, Source, Reviewer, Article, Citation, FAQ):
        assert model.objects.count() == 0, model


def test_import_creates_every_record_from_the_files(content):
    report = import_content(directory=content)

    created = {kind: counts.created for kind, counts in report.counts.items()}
    assert created == {
        "categories": 1,
        "sources": 1,
        "reviewers": 1,
        "articles": 2,
        "citations": 2,
        "faqs": 2,
        "approvals": 1,
        "versions": 1,
    }
    article = Article.objects.get(slug="sleep-basics")
    assert article.title == ARTICLE["title"]
    assert article.body == BODY
    assert article.category.slug == "sleep"
    assert article.reviewer.slug == "ada-lovelace"
    assert article.status == ArticleStatus.PUBLISHED
    assert article.is_sample
    assert article.last_reviewed_on == datetime.date(2026, 1, 3)
    assert article.next_review_due == datetime.date(2027, 1, 3)
    assert article.published_at == timezone.make_aware(datetime.datetime(2026, 1, 5))
    assert sorted(article.tags.names()) == ["adults", "sleep"]
    assert [(c.key, c.source.slug, c.order) for c in article.citations.all()] == [
        ("nhs-sleep", "nhs", 0),
        ("walker-2017", "nhs", 1),
    ]
    walker = article.citations.get(key="walker-2017")
    assert (walker.pmid, walker.doi, walker.year) == ("12345", "10.1000/sleep", None)
    assert article.citations.get(key="nhs-sleep").accessed_on == datetime.date(2025, 12, 1)
    assert [(f.question, f.answer, f.order) for f in article.faqs.all()] == [
        ("Is napping bad?", "Short naps are fine.", 0),
        ("Can I catch up?", "Partly.\n\n- Keep a routine.", 1),
    ]
    assert re.fullmatch(r"articles/hero/sleep-basics-[0-9a-f]{8}\.png", article.hero_image.name)
    with article.hero_image.open("rb") as stored:
        assert stored.read() == (content / "images/articles/sleep.png").read_bytes()
    reviewer = Reviewer.objects.get(slug="ada-lovelace")
    assert (reviewer.name, reviewer.credentials, reviewer.bio) == (
        "Ada Lovelace",
        "MD",
        "Ada reviews sleep articles.",
    )
    assert re.fullmatch(r"reviewers/ada-lovelace-[0-9a-f]{8}\.jpg", reviewer.photo.name)
    draft = Article.objects.get(slug="naps")
    assert (draft.status, draft.published_at, draft.reviewer) == (ArticleStatus.DRAFT, None, None)
    approval = article.sign_offs.get()
    assert (approval.decision, approval.is_imported, approval.reviewed_on) == (
        "approved",
        True,
        datetime.date(2026, 1, 3),
    )
    assert approval.content_fingerprint == article.content_fingerprint
    live = article.live_version
    assert (live.kind, live.title, live.reviewer.slug) == (
        "imported",
        ARTICLE["title"],
        "ada-lovelace",
    )
    assert live.reviewed_on == datetime.date(2026, 1, 3)
    assert article.is_published
    source = Source.objects.get()
    assert (source.source_type, source.trust_label) == (
        "government_authority",
        "Governmental authority",
    )


def test_importing_the_same_folder_twice_changes_nothing(content, settings):
    import_content(directory=content)
    models = (Category, Source, Reviewer, Article)
    before = {model: list(model.objects.values_list("pk", "updated_at")) for model in models}
    rows = {model: list(model.objects.values_list("pk", flat=True)) for model in (Citation, FAQ)}
    files = media_files(settings)

    report = import_content(directory=content)

    changed = [
        (kind, c) for kind, c in report.counts.items() if c.created or c.updated or c.deleted
    ]
    assert changed == []
    assert report.counts["articles"].unchanged == 2
    assert report.counts["citations"].unchanged == 2
    for model in models:
        assert list(model.objects.values_list("pk", "updated_at")) == before[model]
    for model in (Citation, FAQ):
        assert list(model.objects.values_list("pk", flat=True)) == rows[model]
    assert media_files(settings) == files


def test_reimporting_into_an_emptied_database_reuses_the_stored_images(content, settings):
    import_content(directory=content)
    files = media_files(settings)
    delete_all_articles()
    Reviewer.objects.all().delete()

    import_content(directory=content)

    assert media_files(settings) == files
    stored_size = Article.objects.values_list("hero_width", "hero_height").get(slug="sleep-basics")
    assert stored_size == (40, 30)


def test_changed_files_update_records_and_drop_what_was_removed(content):
    import_content(directory=content)
    write_article(
        content,
        title="Sleep for adults",
        tags=["sleep"],
        citations=ARTICLE["citations"][:1],
        faqs=ARTICLE["faqs"][1:],
        body="Adults need 7–9 hours.[^nhs-sleep]",
    )

    report = import_content(directory=content)

    assert report.counts["articles"].updated == 1
    assert report.counts["articles"].unchanged == 1
    assert report.counts["citations"].deleted == 1
    assert report.counts["faqs"].deleted == 1
    article = Article.objects.get(slug="sleep-basics")
    assert article.title == "Sleep for adults"
    assert list(article.tags.names()) == ["sleep"]
    assert [c.key for c in article.citations.all()] == ["nhs-sleep"]
    assert [f.question for f in article.faqs.all()] == ["Can I catch up?"]


def content_snapshot() -> dict:
    """Everything a content file carries, in comparable form."""

    def read(file):
        if not file:
            return None
        with file.open("rb") as stored:
            return stored.read()

    articles = {
        a.slug: {
            "fields": (a.title, a.summary, a.body, a.author, a.status, a.is_sample),
            "hero": (read(a.hero_image), a.hero_alt, a.hero_credit),
            "dates": (
                a.published_at and timezone.localdate(a.published_at),
                a.last_reviewed_on,
                a.next_review_due,
            ),
            "links": (a.category.slug, a.reviewer and a.reviewer.slug),
            "tags": sorted(a.tags.names()),
            "citations": [
                (c.key, c.source.slug, c.title, c.url, c.authors, c.year, c.doi, c.pmid)
                + (c.accessed_on,)
                for c in a.citations.all()
            ],
            "faqs": [(f.question, f.answer) for f in a.faqs.all()],
        }
        for a in Article.objects.all()
    }
    reviewers = {
        r.slug: (r.name, r.credentials, r.specialty, r.bio, r.is_active, read(r.photo))
        for r in Reviewer.objects.all()
    }
    sources = {
        s.slug: (s.name, s.source_type, s.trust_label, s.url, s.description)
        for s in Source.objects.all()
    }
    categories = {c.slug: (c.name, c.description) for c in Category.objects.all()}
    return {"articles": articles, "reviewers": reviewers, "sources": sources, "cats": categories}


def files_in(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }


def test_export_then_import_into_an_empty_database_round_trips(tmp_path):
    reviewer = ReviewerFactory(slug="ada", photo=image_file("ada.jpg"))
    ReviewerFactory(slug="retired", is_active=False, credentials="", specialty="")
    category = CategoryFactory(slug="sleep", description="Rest.\n\nAnd more.")
    journal = SourceFactory(slug="bmj", source_type="peer_reviewed_journal", description="")
    agency = SourceFactory(slug="nhs")
    article = ArticleFactory(
        slug="sleep-basics",
        category=category,
        reviewer=reviewer,
        hero_image=image_file("hero.png", image_format="PNG"),
        hero_alt="A moon: over a bed",
        hero_credit="Photo: Jo",
        is_sample=True,
        tags=["sleep", "Adults", "sleep hygiene"],
        body="## Why\n\nSleep matters.[^bmj-1] See also[^nhs].\n\n    indented code",
    )
    CitationFactory(article=article, key="nhs", source=agency, order=5, year=None)
    CitationFactory(
        article=article,
        key="bmj-1",
        source=journal,
        order=9,
        authors="Doe J, Roe R",
        doi="10.1136/bmj.n71",
        pmid="33782057",
        accessed_on=datetime.date(2025, 2, 28),
    )
    FAQFactory(article=article, question="Why: really?", answer="Because.\n\n1. One\n2. Two")
    FAQFactory(article=article, question="'Quoted' #1", answer="Yes — “really”.")
    ArticleFactory(slug="a-draft", draft=True, category=category, title="2024")
    original = content_snapshot()

    export_content(directory=tmp_path / "first")
    delete_all_articles()
    for model in (Reviewer, Category, Source, Tag):
        model.objects.all().delete()
    import_content(directory=tmp_path / "first")
    export_content(directory=tmp_path / "second")

    assert content_snapshot() == original
    first, second = files_in(tmp_path / "first"), files_in(tmp_path / "second")
    assert sorted(first) == [
        "articles/a-draft.md",
        "articles/sleep-basics.md",
        "categories/sleep.md",
        "images/articles/sleep-basics.png",
        "images/reviewers/ada.jpg",
        "reviewers/ada.md",
        "reviewers/retired.md",
        "sources/bmj.md",
        "sources/nhs.md",
    ]
    assert first == second


def test_one_bad_file_stops_the_whole_import_and_names_every_problem(content, settings):
    write_article(
        content,
        slug="bad",
        category="nope",
        reviewed_on="soon",
        reviewer=None,
        reviwer="ada-lovelace",
        body="Claim.[^missing]",
    )
    write_md(content / "sources/odd.md", {"name": "Odd", "type": "journal", "trust_label": "x"})
    write_md(content / "sources/blog.md", {"name": "A blog", "type": "other"})

    errors = import_errors(content)

    assert "articles/bad.md: category: no categories/nope.md in the folder" in "\n".join(errors)
    assert "articles/bad.md: reviewed_on: expected a date like 2026-03-14, got 'soon'" in errors
    assert "articles/bad.md: reviwer: unknown field; did you mean 'reviewer'?" in errors
    assert "articles/bad.md: reviewer: a published article needs this" in errors
    assert any(e.startswith("articles/bad.md: body:") and "[^missing]" in e for e in errors)
    assert any(e.startswith("sources/odd.md: type: expected one of") for e in errors)
    assert any(e.startswith("sources/blog.md: trust_label: Enter the label") for e in errors)
    assert len(errors) == 7, errors
    assert_database_empty()
    assert media_files(settings) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": None}, "title: missing; this field is required"),
        ({"status": "live"}, "status: expected one of draft, published, unpublished, got 'live'"),
        ({"reviewer": None}, "reviewer: a published article needs this"),
        ({"published_on": None}, "published_on: a published article needs this"),
        ({"reviewer": "nobody"}, "reviewer: no reviewers/nobody.md in the folder"),
        ({"next_review_due": datetime.date(2026, 1, 3)}, "next_review_due: must be after"),
        ({"next_review_due": "2026-02-30"}, "next_review_due: expected a date like"),
        ({"tags": "sleep"}, "tags: expected a list"),
        ({"summary": "x" * 301}, "summary: at most 300 characters, got 301"),
        ({"sample": "yes"}, "sample: expected true or false, got 'yes'"),
        ({"hero_alt": None}, "hero_alt: describe the hero image"),
        ({"hero_image": "../outside.png"}, "hero_image: '../outside.png' is outside the content"),
        ({"hero_image": "images/none.png"}, "hero_image: no file at images/none.png"),
        ({"citations": "nhs-sleep"}, "citations: expected a list of entries"),
        (
            {"citations": [ARTICLE["citations"][0] | {"key": "Bad Key"}]},
            "citations[1].key: Use lowercase letters",
        ),
        (
            {"citations": [ARTICLE["citations"][1] | {"source": "bmj"}]},
            "citations[1].source: no sources/bmj.md",
        ),
        ({"citations": [ARTICLE["citations"][1] | {"year": "2020"}]}, "citations[1].year"),
        ({"citations": [ARTICLE["citations"][1] | {"url": "nowhere"}]}, "citations[1].url"),
        (
            {"citations": [ARTICLE["citations"][0]] * 2},
            "citations: the key 'nhs-sleep' is used more than once",
        ),
        ({"faqs": [{"question": "Why?"}]}, "faqs[1].answer: missing"),
        (
            {"faqs": [{"question": "Why?", "answer": "See[^nhs-sleep]."}]},
            "faqs[1].answer: Citation markers work only in the article body; remove [^nhs-sleep]",
        ),
    ],
)
def test_each_problem_is_reported_against_its_file_and_field(content, changes, expected):
    write_article(content, **changes)

    errors = import_errors(content)

    assert any(e.startswith(f"articles/sleep-basics.md: {expected}") for e in errors), errors
    assert_database_empty()


def test_unknown_citation_key_in_the_body_is_named(content):
    write_article(content, body="Sleep well.[^nhs-sleep] Sleep longer.[^nhs-slep]")

    errors = import_errors(content)

    assert len(errors) == 1
    assert errors[0].startswith("articles/sleep-basics.md: body: The body cites [^nhs-slep],")


def test_a_file_that_is_not_an_image_is_refused(content, settings):
    (content / "images/reviewers/ada.jpg").write_bytes(b"<svg onload='alert(1)'></svg>")

    errors = import_errors(content)

    assert errors == [
        "reviewers/ada-lovelace.md: photo: This file is not an image we can read. "
        "Upload a JPEG, PNG, WebP or GIF file."
    ]
    assert media_files(settings) == []


def test_files_without_front_matter_or_with_broken_yaml_are_reported(content):
    (content / "categories/plain.md").write_text("# Just Markdown\n", encoding="utf-8")
    (content / "categories/broken.md").write_text("---\nname: [Sleep\n---\n", encoding="utf-8")

    errors = import_errors(content)

    assert errors[0] == (
        "categories/broken.md: front matter is not valid YAML: "
        + errors[0].split("not valid YAML: ", 1)[1]
    )
    assert errors[1].startswith("categories/plain.md: expected a line '---'")
    assert len(errors) == 2


def test_a_failure_while_writing_rolls_back_everything(content, settings):
    CategoryFactory(name="Sleep", slug="rest")  # categories/sleep.md has the same name

    errors = import_errors(content)

    assert errors == ["categories/sleep.md: name: Category with this Name already exists."]
    assert Category.objects.count() == 1
    assert Reviewer.objects.count() == 0
    assert media_files(settings) == []  # the reviewer photo written before the failure is gone


def test_import_command_prints_the_counts(content):
    out = StringIO()

    call_command("import_content", str(content), stdout=out)

    assert "articles: 2 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "citations: 2 created, 0 updated, 0 unchanged" in out.getvalue()


def test_import_command_lists_every_problem(content):
    write_article(content, slug="one", category="nope")
    write_article(content, slug="two", status="live")

    with pytest.raises(CommandError) as raised:
        call_command("import_content", str(content), stdout=StringIO())

    message = str(raised.value)
    assert message.startswith("Nothing was imported.")
    assert "articles/one.md: category: no categories/nope.md" in message
    assert "articles/two.md: status: expected one of draft, published" in message
    assert_database_empty()


def test_export_command_writes_the_folder_and_says_how_many_files(content, tmp_path):
    import_content(directory=content)
    out = StringIO()

    call_command("export_content", str(tmp_path / "out"), stdout=out)

    assert f"Wrote 7 files to {tmp_path / 'out'}" in out.getvalue()
    assert (tmp_path / "out/articles/sleep-basics.md").read_text().startswith("---\ntitle: ")
    assert (tmp_path / "out/images/articles/sleep-basics.png").read_bytes() == (
        content / "images/articles/sleep.png"
    ).read_bytes()


def test_yaml_aliases_are_bounded_so_a_billion_laughs_file_cannot_exhaust_the_machine(tmp_path):
    """Nine levels of nine aliases would expand to a billion strings; the import refuses the
    file as soon as it would pass 20,000 values, in a short message, and writes nothing."""
    root = tmp_path / "content"
    (root / "categories").mkdir(parents=True)
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("name: *a9")
    (root / "categories" / "laughs.md").write_text("---\n" + "\n".join(lines) + "\n---\n")

    with pytest.raises(ContentImportError) as raised:
        import_content(directory=root)

    [problem] = raised.value.errors
    assert problem.startswith("categories/laughs.md: front matter is not valid YAML:")
    assert "its aliases (*name) stand for more than 20,000 values" in problem
    assert len(problem) < 500
    assert not Category.objects.filter(slug="laughs").exists()


def test_a_huge_wrong_value_is_shown_cut_short_in_the_message(tmp_path):
    root = tmp_path / "content"
    write_md(root / "categories/big.md", {"name": ["x" * 100] * 1000})

    with pytest.raises(ContentImportError) as raised:
        import_content(directory=root)

    [problem] = raised.value.errors
    assert problem.startswith("categories/big.md: name: expected text, got ['xxx")
    assert len(problem) < 200


# A file without next_review_due ----------------------------------------------------------------


def test_a_published_article_without_a_next_review_date_gets_the_schedules(content, settings):
    settings.REVIEW_INTERVAL_MONTHS = 18
    write_article(content, next_review_due=None, reviewed_on=datetime.date(2025, 8, 31))

    import_content(directory=content)

    imported = Article.objects.get(slug="sleep-basics")
    assert imported.next_review_due == datetime.date(2027, 2, 28)  # 18 months, at month's end
    assert imported.next_review_due_override is None
    assert imported.live_version.reviewed_on == datetime.date(2025, 8, 31)


def test_the_derived_date_follows_the_category_interval(content):
    CategoryFactory(slug="sleep", name="Sleep", review_interval_months=6)
    (content / "categories/sleep.md").unlink()
    write_article(content, next_review_due=None)

    import_content(directory=content)

    assert Article.objects.get(slug="sleep-basics").next_review_due == datetime.date(2026, 7, 3)


def test_without_a_review_date_a_published_article_still_needs_both(content):
    write_article(content, next_review_due=None, reviewed_on=None)

    errors = import_errors(content)

    assert "articles/sleep-basics.md: reviewed_on: a published article needs this" in errors
    assert "articles/sleep-basics.md: next_review_due: a published article needs this" in errors


def test_a_derived_date_is_exported_as_stored_and_the_round_trip_is_exact(content, tmp_path):
    write_article(content, next_review_due=None)
    import_content(directory=content)
    first = content_snapshot()

    export_content(directory=tmp_path / "out")
    text = (tmp_path / "out/articles/sleep-basics.md").read_text()
    assert "\nnext_review_due: 2027-01-03\n" in text
    delete_all_articles()
    import_content(directory=tmp_path / "out")

    assert content_snapshot() == first


def test_health_callouts_are_carried_through_import_and_export(content, tmp_path):
    body = (
        "## When to get help\n\n"
        "::: emergency Call your emergency number now if:\n"
        "- you cannot feel your legs[^nhs-sleep]\n"
        ":::\n\n"
        "::: info\nMost people recover.[^walker-2017]\n:::"
    )
    write_article(content, body=body)
    import_content(directory=content)
    article = Article.objects.get(slug="sleep-basics")
    assert article.body == body
    assert 'class="callout callout-emergency"' in article.live_version.body_html

    export_content(directory=tmp_path / "out")

    assert (tmp_path / "out/articles/sleep-basics.md").read_text().endswith(f"---\n{body}\n")
