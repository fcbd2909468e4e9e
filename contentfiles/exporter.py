"""Export of content files: every category, source, reviewer and article to a folder, in
the format docs/content-format.md describes and contentfiles.importer reads back."""

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from django.conf import settings
from django.utils import timezone

from articles.models import Article, Category, Citation, Source
from articles.versions import citation_data
from contentfiles.importer import KINDS
from reviewers.models import Reviewer


@dataclass
class ExportReport:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def files(self) -> int:
        return sum(self.counts.values())


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent list items under their key


class _FlowList(list):
    """A short list written on one line, like [sleep, insomnia]."""


def _represent_text(dumper, value):
    # Multi-line text (FAQ answers) as a literal block; PyYAML quotes it when it must.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(
    _FlowList, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, True)
)


def _write_file(path: Path, front_matter: dict, body: str) -> None:
    front_matter = {k: v for k, v in front_matter.items() if v not in (None, "", [])}
    text = yaml.dump(front_matter, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    body = body.replace("\r\n", "\n").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{text}---\n" + (f"{body}\n" if body else ""), encoding="utf-8")


def _export_image(file, directory: Path, folder: str, slug: str) -> str | None:
    if not file:
        return None
    relative = f"images/{folder}/{slug}{PurePosixPath(file.name).suffix.lower()}"
    with file.open("rb") as source:
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_bytes(source.read())
    return relative


def export_content(*, directory: Path) -> ExportReport:
    """Write every category, source, reviewer and article to a content folder.

    Files of the same name are overwritten; other files in the folder are left alone.
    """
    directory = Path(directory)
    report = ExportReport(counts=dict.fromkeys(KINDS[:4] + ("images",), 0))

    for category in Category.objects.order_by("slug"):
        _write_file(
            directory / "categories" / f"{category.slug}.md",
            {"name": category.name},
            category.description,
        )
        report.counts["categories"] += 1

    for source in Source.objects.order_by("slug"):
        front_matter = {
            "name": source.name,
            "type": source.source_type,
            "trust_label": source.trust_label,
            "url": source.url,
        }
        _write_file(directory / "sources" / f"{source.slug}.md", front_matter, source.description)
        report.counts["sources"] += 1

    for reviewer in Reviewer.objects.order_by("slug"):
        photo = _export_image(reviewer.photo, directory, "reviewers", reviewer.slug)
        front_matter = {
            "name": reviewer.name,
            "credentials": reviewer.credentials,
            "specialty": reviewer.specialty,
            "photo": photo,
            "active": None if reviewer.is_active else False,
        }
        _write_file(directory / "reviewers" / f"{reviewer.slug}.md", front_matter, reviewer.bio)
        report.counts["reviewers"] += 1
        report.counts["images"] += bool(photo)

    articles = (
        Article.objects.order_by("slug")
        .select_related("category", "reviewer", "translation_of")
        .prefetch_related("tags", "faqs", "citations__source")
    )
    for article in articles:
        hero_image = _export_image(article.hero_image, directory, "articles", article.slug)
        front_matter = {
            "title": article.title,
            "category": article.category.slug,
            "tags": _FlowList(sorted(tag.name for tag in article.tags.all())),
            "summary": article.summary,
            "author": article.author,
            "reviewer": article.reviewer and article.reviewer.slug,
            "reviewed_on": article.last_reviewed_on,
            "next_review_due": article.next_review_due,
            "published_on": article.published_at and timezone.localdate(article.published_at),
            "status": article.status,
            "hero_image": hero_image,
            "hero_alt": article.hero_alt,
            "hero_credit": article.hero_credit,
            "sample": article.is_sample or None,
            # Left out for an article in the default language that translates nothing.
            "language": None if article.language == settings.LANGUAGE_CODE else article.language,
            "translation_of": article.translation_of and article.translation_of.slug,
            "readability_note": article.readability_note,
            "citations": [_citation_data(citation) for citation in article.citations.all()],
            "faqs": [{"question": f.question, "answer": f.answer} for f in article.faqs.all()],
        }
        _write_file(directory / "articles" / f"{article.slug}.md", front_matter, article.body)
        report.counts["articles"] += 1
        report.counts["images"] += bool(hero_image)
    return report


def _citation_data(citation: Citation) -> dict:
    data = citation_data(citation) | {
        "accessed_on": citation.accessed_on,  # a date, written unquoted
        "further_reading": citation.is_further_reading or None,
    }
    return {k: v for k, v in data.items() if v not in (None, "")}
