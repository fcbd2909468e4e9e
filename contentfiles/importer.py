"""Import of content files: Markdown with YAML front matter, one file per record.

docs/content-format.md describes the folder. Import checks every file before it writes
anything, then writes everything in one transaction. Records are matched by slug, so
importing the same folder twice changes nothing.
"""

import datetime
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import frontmatter
import yaml
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from articles.citations import check_citation_markers
from articles.hero_images import refresh_hero_renditions
from articles.models import (
    FAQ,
    PUBLISHED_REQUIRES,
    Article,
    ArticleStatus,
    Category,
    Citation,
    PublishedVersion,
    Source,
    SourceType,
    VersionKind,
)
from articles.review_schedule import next_review_due
from articles.versions import (
    content_snapshot,
    create_published_version,
    refresh_content_fingerprint,
)
from editorial.models import Decision, SignOff
from images.checks import validate_image_upload
from images.renditions import refresh_photo_renditions
from images.uploads import stored_image
from reviewers.models import Reviewer

KINDS = (
    "categories", "sources", "reviewers", "articles", "citations", "faqs", "approvals", "versions"
)  # fmt: skip


# How the files name the model fields that differ, for error messages.
FILE_FIELD_NAMES = {
    "slug": "file name",
    "bio": "body",
    "description": "body",
    "is_active": "active",
    "source_type": "type",
    "published_at": "published_on",
    "last_reviewed_on": "reviewed_on",
    "is_sample": "sample",
}


class ContentImportError(Exception):
    """The folder cannot be imported; ``errors`` lists every problem, one message each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(errors)

    def __str__(self):
        return "Nothing was imported. Fix these problems and run it again:\n" + "\n".join(
            f"  {error}" for error in self.errors
        )


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    counts: dict[str, KindCounts] = field(default_factory=lambda: {k: KindCounts() for k in KINDS})

    def lines(self) -> list[str]:
        return [
            f"{kind}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
            + (f", {c.deleted} deleted" if c.deleted else "")
            for kind, c in self.counts.items()
        ]


# Reading field values ---------------------------------------------------------------------


class _Invalid(Exception):
    """A value that cannot be used; the message says what was expected."""


# Dates stay text while parsing, so a bad date is reported against its field.
class _Loader(yaml.SafeLoader):
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):
        # An alias (*name) repeats a value; a few lines of aliases of aliases can stand for a
        # billion values ("billion laughs"). Count what the file would be with every alias
        # written out, and refuse it past MAX_EXPANDED_VALUES.
        if not hasattr(self, "_sizes"):
            self._sizes = {}
        node = super().compose_node(parent, index)
        if id(node) not in self._sizes:
            children = []
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            self._sizes[id(node)] = 1 + sum(self._sizes.get(id(child), 1) for child in children)
            if self._sizes[id(node)] > MAX_EXPANDED_VALUES:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"its aliases (*name) stand for more than {MAX_EXPANDED_VALUES:,} values; "
                    "write the values out",
                    node.start_mark,
                )
        return node


# More values than any content file has; a file whose aliases expand past it is refused.
MAX_EXPANDED_VALUES = 20_000


class _FrontMatter(frontmatter.YAMLHandler):
    """python-frontmatter's YAML front matter (between lines of ``---``), read with _Loader."""

    def load(self, fm, **kwargs):
        return yaml.load(fm, Loader=_Loader)  # noqa: S506 (a SafeLoader)


FRONT_MATTER = _FrontMatter()


def _shown(value, limit: int = 80) -> str:
    """A value in an error message: its repr, cut short (a value may be huge)."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _text(value):
    if isinstance(value, str):
        return value
    raise _Invalid(f"expected text, got {_shown(value)} (put it in quotes)")


def _digits(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def _integer(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Invalid(f"expected a whole number, got {_shown(value)}")


def _boolean(value):
    if isinstance(value, bool):
        return value
    raise _Invalid(f"expected true or false, got {_shown(value)}")


def _date(value):
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(f"expected a date like 2026-03-14, got {_shown(value)}")


def _choice(*choices):
    def parse(value):
        if value in choices:
            return value
        raise _Invalid(f"expected one of {', '.join(choices)}, got {_shown(value)}")

    return parse


def _tags(value):
    if isinstance(value, list) and all(isinstance(t, str) and 0 < len(t) <= 100 for t in value):
        return value
    raise _Invalid(f"expected a list of words, like [sleep, insomnia], got {_shown(value)}")


def _entries(value):
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    raise _Invalid("expected a list of entries, each starting with '- ' and holding field: value")


# Field name in the file: (parser, required).
REVIEWER_FIELDS = {
    "name": (_text, True),
    "credentials": (_text, False),
    "specialty": (_text, False),
    "photo": (_text, False),
    "active": (_boolean, False),
}
SOURCE_FIELDS = {
    "name": (_text, True),
    "type": (_choice(*SourceType.values), True),
    "trust_label": (_text, False),
    "url": (_text, False),
}
CATEGORY_FIELDS = {"name": (_text, True)}
ARTICLE_FIELDS = {
    "title": (_text, True),
    "category": (_text, True),
    "tags": (_tags, False),
    "summary": (_text, True),
    "author": (_text, True),
    "reviewer": (_text, False),
    "reviewed_on": (_date, False),
    "next_review_due": (_date, False),
    "published_on": (_date, False),
    "status": (_choice(*ArticleStatus.values), False),
    "hero_image": (_text, False),
    "hero_alt": (_text, False),
    "hero_credit": (_text, False),
    "sample": (_boolean, False),
    "language": (_choice(*(code for code, _ in settings.LANGUAGES)), False),
    "translation_of": (_text, False),
    "readability_note": (_text, False),
    "citations": (_entries, False),
    "faqs": (_entries, False),
}
CITATION_FIELDS = {
    "key": (_text, True),
    "source": (_text, True),
    "title": (_text, True),
    "url": (_text, True),
    "authors": (_text, False),
    "year": (_integer, False),
    "doi": (_text, False),
    "pmid": (_digits, False),
    "accessed_on": (_date, False),
    "further_reading": (_boolean, False),
}
FAQ_FIELDS = {"question": (_text, True), "answer": (_text, True)}


@dataclass(frozen=True)
class _Image:
    data: bytes
    suffix: str

    def filename(self, slug: str) -> str:
        return f"{slug}-{hashlib.sha256(self.data).hexdigest()[:8]}{self.suffix}"


@dataclass
class _Record:
    """One file, checked and turned into model values, ready to write."""

    path: str
    slug: str
    values: dict
    image: _Image | None = None
    refs: dict = field(default_factory=dict)  # e.g. {"category": "sleep"}
    tags: list[str] = field(default_factory=list)
    citations: list[tuple[dict, str]] = field(default_factory=list)  # (values, source slug)
    faqs: list[dict] = field(default_factory=list)


class _Reader:
    """Phase 1: reads and checks every file, collecting every problem."""

    def __init__(self, directory: Path):
        self.directory = directory.resolve()
        self.problems: list[str] = []
        self.failed: set[str] = set()  # "file: field" already reported, so reported once

    def read(self) -> dict[str, list[_Record]]:
        if not self.directory.is_dir():
            raise ContentImportError([f"{self.directory}: no such folder"])
        kinds = {
            "categories": (CATEGORY_FIELDS, Category, self._category),
            "sources": (SOURCE_FIELDS, Source, self._source),
            "reviewers": (REVIEWER_FIELDS, Reviewer, self._reviewer),
            "articles": (ARTICLE_FIELDS, Article, self._article),
        }
        files = {kind: self._files(kind, spec) for kind, (spec, _, _) in kinds.items()}
        self.known = {
            kind: {slug for _, slug, _, _ in files[kind]}
            | set(model.objects.values_list("slug", flat=True))
            for kind, (_, model, _) in kinds.items()
        }
        plan = {
            kind: [build(*file) for file in files[kind] if file[2] is not None]
            for kind, (_, _, build) in kinds.items()
        }
        if self.problems:
            raise ContentImportError(sorted(self.problems, key=lambda p: p.split(":", 1)[0]))
        return plan

    def _files(self, kind, spec) -> list[tuple[str, str, dict | None, str]]:
        """(path for messages, slug, field values or None if unreadable, body) per file."""
        parsed = []
        for path in sorted((self.directory / kind).glob("*.md")):
            where = f"{kind}/{path.name}"
            parsed.append((where, path.stem, None, ""))
            try:
                text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError:
                self.problems.append(f"{where}: not UTF-8 text; save it as UTF-8")
                continue
            try:
                if not FRONT_MATTER.detect(text):
                    raise ValueError("no front matter")
                front_matter, body = FRONT_MATTER.split(text)
            except ValueError:
                self.problems.append(
                    f"{where}: expected a line '---', the front matter, a line '---', then the body"
                )
                continue
            try:
                data = FRONT_MATTER.load(front_matter)
            except yaml.YAMLError as error:
                self.problems.append(f"{where}: front matter is not valid YAML: {error}")
                continue
            if not isinstance(data, dict):
                self.problems.append(f"{where}: front matter must be lines of field: value")
                continue
            values = self._fields(data, spec, f"{where}: ")
            parsed[-1] = (where, path.stem, values, body.strip())
        return parsed

    def _fields(self, data, spec, where) -> dict:
        """The values that parse; a problem for each unknown, missing or malformed field."""
        for key in data:
            if key not in spec:
                hint = difflib.get_close_matches(str(key), spec, n=1)
                expected = f"did you mean {hint[0]!r}?" if hint else f"use {', '.join(spec)}"
                self.problems.append(f"{where}{key}: unknown field; {expected}")
        values = {}
        for name, (parse, required) in spec.items():
            if data.get(name) is None:
                if required:
                    self._problem(where, name, "missing; this field is required")
                continue
            try:
                values[name] = parse(data[name])
            except _Invalid as error:
                self._problem(where, name, str(error))
        return values

    def _problem(self, where, name, message):
        self.failed.add(f"{where}{name}")
        self.problems.append(f"{where}{name}: {message}")

    def _check(self, instance, where, exclude=(), *, model_clean=True):
        """Run the model's own checks (lengths, URLs, formats, clean()) before anything is saved."""
        try:
            instance.clean_fields(exclude=exclude)
            if model_clean:
                instance.clean()
        except ValidationError as error:
            already = tuple(f"{label}:" for label in self.failed)
            self.problems.extend(m for m in _messages(error, where) if not m.startswith(already))

    def _exists(self, kind, slug, where, name):
        if slug not in self.known[kind]:
            self.problems.append(
                f"{where}{name}: no {kind}/{slug}.md in the folder and no such slug in the database"
            )

    def _image(self, value, where):
        path = (self.directory / value).resolve()
        if not path.is_relative_to(self.directory):
            self.problems.append(f"{where}: {value!r} is outside the content folder")
            return None
        if not path.is_file():
            self.problems.append(f"{where}: no file at {value}")
            return None
        data = path.read_bytes()
        try:
            validate_image_upload(ContentFile(data, name=path.name))
        except ValidationError as error:
            self.problems.extend(f"{where}: {message}" for message in error.messages)
            return None
        data, filename = stored_image(data, path.name)
        return _Image(data=data, suffix=PurePosixPath(filename).suffix)

    def _category(self, where, slug, data, body):
        values = {"name": data.get("name", ""), "description": body}
        self._check(Category(slug=slug, **values), f"{where}: ")
        return _Record(path=where, slug=slug, values=values)

    def _source(self, where, slug, data, body):
        values = {
            "name": data.get("name", ""),
            "source_type": data.get("type", SourceType.OTHER),
            "trust_label": data.get("trust_label", ""),
            "url": data.get("url", ""),
            "description": body,
        }
        source = Source(slug=slug, **values)
        self._check(source, f"{where}: ")
        values["trust_label"] = source.trust_label  # clean() fills in the type's usual label
        return _Record(path=where, slug=slug, values=values)

    def _reviewer(self, where, slug, data, body):
        values = {
            "name": data.get("name", ""),
            "credentials": data.get("credentials", ""),
            "specialty": data.get("specialty", ""),
            "bio": body,
            "is_active": data.get("active", True),
        }
        self._check(Reviewer(slug=slug, **values), f"{where}: ", exclude=["photo"])
        image = self._image(data["photo"], f"{where}: photo") if "photo" in data else None
        return _Record(path=where, slug=slug, values=values, image=image)

    def _article(self, where, slug, data, body):
        prefix = f"{where}: "
        status = data.get("status", ArticleStatus.DRAFT)
        values = {
            "title": data.get("title", ""),
            "summary": data.get("summary", ""),
            "body": body,
            "author": data.get("author", ""),
            "status": status,
            "published_at": data.get("published_on") and _midnight(data["published_on"]),
            "last_reviewed_on": data.get("reviewed_on"),
            "next_review_due": data.get("next_review_due"),
            "hero_alt": data.get("hero_alt", ""),
            "hero_credit": data.get("hero_credit", ""),
            "is_sample": data.get("sample", False),
            "language": data.get("language", settings.LANGUAGE_CODE),
            "readability_note": data.get("readability_note", ""),
        }
        record = _Record(path=where, slug=slug, values=values, tags=data.get("tags", []))
        # Article.clean() needs the reviewer saved; its rules are checked below instead. The
        # summary's length is checked below too, with a shorter message than the model's.
        self._check(
            Article(slug=slug, **values),
            prefix,
            exclude=["category", "reviewer", "hero_image", "summary"],
            model_clean=False,
        )
        limit = Article._meta.get_field("summary").max_length
        if len(values["summary"]) > limit:
            self.problems.append(
                f"{prefix}summary: at most {limit} characters, got {len(values['summary'])}"
            )
        for name, kind in [
            ("category", "categories"),
            ("reviewer", "reviewers"),
            ("translation_of", "articles"),
        ]:
            if name in data:
                record.refs[name] = data[name]
                self._exists(kind, data[name], prefix, name)
        if status == ArticleStatus.PUBLISHED:
            for name in (FILE_FIELD_NAMES.get(name, name) for name in PUBLISHED_REQUIRES):
                if name == "next_review_due" and "reviewed_on" in data:
                    continue  # derived from the review date and the interval when left out
                if name not in data and f"{prefix}{name}" not in self.failed:
                    self.problems.append(f"{prefix}{name}: a published article needs this")
        reviewed_on, next_due = data.get("reviewed_on"), data.get("next_review_due")
        if reviewed_on and next_due and next_due <= reviewed_on:
            self.problems.append(f"{prefix}next_review_due: must be after reviewed_on")
        if "hero_image" in data:
            record.image = self._image(data["hero_image"], f"{prefix}hero_image")
            if not values["hero_alt"].strip():
                self.problems.append(
                    f"{prefix}hero_alt: describe the hero image for readers who cannot see it"
                )
        for number, item in enumerate(data.get("citations", []), start=1):
            record.citations.append(self._citation(item, f"{prefix}citations[{number}]."))
        keys = [values["key"] for values, _ in record.citations]
        for key in sorted({key for key in keys if key and keys.count(key) > 1}):
            self.problems.append(f"{prefix}citations: the key {key!r} is used more than once")
        try:
            check_citation_markers(body=body, citation_keys=keys)
        except ValidationError as error:
            self.problems.extend(f"{prefix}body: {message}" for message in error.messages)
        for number, item in enumerate(data.get("faqs", []), start=1):
            record.faqs.append(self._faq(item, f"{prefix}faqs[{number}]."))
        return record

    def _citation(self, item, where):
        data = self._fields(item, CITATION_FIELDS, where)
        values = {name: data.get(name, "") for name in ("key", "title", "url", "authors", "doi")}
        values |= {
            "pmid": data.get("pmid", ""),
            "year": data.get("year"),
            "accessed_on": data.get("accessed_on"),
            "is_further_reading": data.get("further_reading", False),
        }
        self._check(Citation(**values), where, exclude=["article", "source"])
        if "source" in data:
            self._exists("sources", data["source"], where, "source")
        return values, data.get("source")

    def _faq(self, item, where):
        data = self._fields(item, FAQ_FIELDS, where)
        values = {"question": data.get("question", ""), "answer": data.get("answer", "")}
        self._check(FAQ(**values), where, exclude=["article"])
        return values


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _messages(error: ValidationError, where: str) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [f"{where.rstrip(': .')}: {message}" for message in error.messages]
    return [
        f"{where.rstrip(': .')}: {message}"
        if name == NON_FIELD_ERRORS
        else f"{where}{FILE_FIELD_NAMES.get(name, name)}: {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]


# Writing ----------------------------------------------------------------------------------


class _Writer:
    """Phase 2: writes the checked records, saving only what changed."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.report = ImportReport()
        self.written_files: list[tuple] = []  # (storage, name), removed if the import fails

    def write(self, plan: dict[str, list[_Record]]) -> ImportReport:
        try:
            with transaction.atomic():
                for kind, model, image_field in [
                    ("reviewers", Reviewer, "photo"),
                    ("categories", Category, None),
                    ("sources", Source, None),
                ]:
                    for record in plan[kind]:
                        instance, state = self._upsert(model, record, record.values, image_field)
                        if model is Reviewer:
                            self._renditions(
                                refresh_photo_renditions, instance.photo.storage, reviewer=instance
                            )
                        self._count(kind, state, record.path)
                self._write_articles(plan["articles"])
        except BaseException:
            for storage, name in self.written_files:
                storage.delete(name)
            raise
        return self.report

    def _write_articles(self, records):
        categories = dict(Category.objects.values_list("slug", "pk"))
        reviewers = dict(Reviewer.objects.values_list("slug", "pk"))
        sources = dict(Source.objects.values_list("slug", "pk"))
        # Sources before their translations, which follow the source's live version.
        for record in sorted(records, key=lambda record: "translation_of" in record.refs):
            values = record.values | {
                "category_id": categories[record.refs["category"]],
                "reviewer_id": reviewers.get(record.refs.get("reviewer")),
                **self._translation_values(record),
            }
            if values["next_review_due"] is None and values["last_reviewed_on"]:
                values["next_review_due"] = _derived_review_due(record.slug, values)
            article, state = self._upsert(Article, record, values, "hero_image")
            self._renditions(refresh_hero_renditions, article.hero_image.storage, article=article)
            if sorted(article.tags.names()) != sorted(set(record.tags)):
                article.tags.set(sorted(set(record.tags)))
                state = "updated" if state == "unchanged" else state
            self._count("articles", state, record.path)

            existing = {citation.key: citation for citation in article.citations.all()}
            for order, (values, source) in enumerate(record.citations):
                citation = existing.pop(values["key"], None) or Citation(article=article)
                values = values | {"source_id": sources[source], "order": order}
                self._save("citations", citation, values, record, f"citations[{order + 1}].")
            self._delete("citations", existing.values())

            existing = list(article.faqs.all())
            for order, values in enumerate(record.faqs):
                faq = existing[order] if order < len(existing) else FAQ(article=article)
                self._save("faqs", faq, values | {"order": order}, record, f"faqs[{order + 1}].")
            self._delete("faqs", existing[len(record.faqs) :])
            self._record_review(article)

    def _translation_values(self, record) -> dict:
        """A translation's source, and the source version it follows: the one it followed
        before if that is still a version of the same source, else the source's live one."""
        slug = record.refs.get("translation_of")
        if slug is None:
            return {"translation_of_id": None, "translated_from_id": None}
        source = Article.objects.filter(slug=slug).only("live_version").first()
        if source is None:  # an article named in the folder that failed its own checks
            raise ContentImportError([f"{record.path}: translation_of: no article {slug!r}"])
        current = Article.objects.filter(slug=record.slug).values("translated_from").first()
        follows = current and current["translated_from"]
        if not follows or not source.versions.filter(pk=follows).exists():
            follows = source.live_version_id
        return {"translation_of_id": source.pk, "translated_from_id": follows}

    def _record_review(self, article):
        """Keep a migrated site's review history: the file's reviewer and review date become
        an approval marked as imported, and a published article gets a live version."""
        current = refresh_content_fingerprint(article=article)
        if not (article.reviewer_id and article.last_reviewed_on):
            return
        approvals = SignOff.objects.filter(
            article=article,
            decision=Decision.APPROVED,
            content_fingerprint=current,
            reviewer_id=article.reviewer_id,
            reviewed_on=article.last_reviewed_on,
        )
        if not approvals.exists():
            SignOff.objects.create(
                article=article,
                reviewer_id=article.reviewer_id,
                decision=Decision.APPROVED,
                notes="Approval imported from content files.",
                reviewed_on=article.last_reviewed_on,
                content_fingerprint=current,
                content=content_snapshot(article),
                is_imported=True,
            )
            self._count("approvals", "created")
        if article.status != ArticleStatus.PUBLISHED:
            return
        live = PublishedVersion.objects.filter(pk=article.live_version_id).first()
        if live and (
            live.content_fingerprint,
            live.presentation_fingerprint,
            live.reviewer_id,
            live.reviewed_on,
        ) == (
            current,
            article.presentation_fingerprint,
            article.reviewer_id,
            article.last_reviewed_on,
        ):
            return
        reviewed_at = _midnight(article.last_reviewed_on)
        due_in_file = article.next_review_due
        create_published_version(
            article=article,
            reviewer=article.reviewer,
            reviewed_on=article.last_reviewed_on,
            kind=VersionKind.IMPORTED,
            change_summary="Imported with its medical review",
            published_at=max(article.published_at, reviewed_at),
        )
        article.refresh_from_db()
        if due_in_file and due_in_file != article.next_review_due:
            # The file's date differs from the schedule: keep it as a date an editor set.
            article.next_review_due_override = due_in_file
            article.next_review_due = due_in_file
            article.save(update_fields=["next_review_due_override", "next_review_due"])
        self._count("versions", "created")

    def _renditions(self, refresh, storage, **instance):
        """Make an image's renditions; their files are removed if the import fails."""
        written = []
        refresh(**instance, written=written)
        self.written_files += [(storage, name) for name in written]

    def _upsert(self, model, record, values, image_field=None):
        instance = model.objects.filter(slug=record.slug).first() or model(slug=record.slug)
        created = instance.pk is None
        changed = _assign(instance, values)
        if image_field:
            changed = self._assign_image(instance, image_field, record) or changed
        if created or changed:
            self._clean_and_save(instance, record, "")
        return instance, "created" if created else "updated" if changed else "unchanged"

    def _save(self, kind, instance, values, record, where):
        created = instance.pk is None
        changed = _assign(instance, values)
        if created or changed:
            self._clean_and_save(instance, record, where)
        self._count(kind, "created" if created else "updated" if changed else "unchanged")

    def _delete(self, kind, instances):
        for instance in instances:
            instance.delete()
            self.report.counts[kind].deleted += 1

    def _count(self, kind, state, path=None):
        counts = self.report.counts[kind]
        setattr(counts, state, getattr(counts, state) + 1)
        if self.stdout and path and state != "unchanged":
            self.stdout.write(f"{state} {path}")

    def _clean_and_save(self, instance, record, where):
        try:
            instance.full_clean()
        except ValidationError as error:
            raise ContentImportError(_messages(error, f"{record.path}: {where}")) from None
        instance.save()

    def _assign_image(self, instance, field_name, record) -> bool:
        """Point the image field at the file's content, stored under a name with its hash."""
        file = getattr(instance, field_name)
        if record.image is None:
            if not file.name:
                return False
            setattr(instance, field_name, "")
            return True
        filename = record.image.filename(record.slug)
        name = file.field.generate_filename(instance, filename)
        if file.name == name:
            return False
        if file.storage.exists(name):  # same name, same hash: the bytes are already stored
            setattr(instance, field_name, name)  # through the descriptor, to set width/height
        else:
            file.save(filename, ContentFile(record.image.data), save=False)
            self.written_files.append((file.storage, file.name))
        return True


def _assign(instance, values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def import_content(*, directory: Path, stdout=None) -> ImportReport:
    """Create or update categories, sources, reviewers and articles from a content folder.

    Raises ContentImportError listing every problem found; then nothing has been written.
    ``stdout``, if given, gets a line for each file that created or updated a record.
    """
    plan = _Reader(Path(directory)).read()
    return _Writer(stdout).write(plan)


def _derived_review_due(slug: str, values: dict) -> datetime.date:
    """A file without next_review_due: the schedule's date from its review date (the
    article's interval, else its category's, else the site's), as publication would set it."""
    article = Article.objects.filter(slug=slug).first() or Article(slug=slug)
    if article.last_reviewed_on != values["last_reviewed_on"]:
        article.next_review_due_override = None  # a new review clears an editor's date
    article.category_id = values["category_id"]
    article.last_reviewed_on = values["last_reviewed_on"]
    return next_review_due(article)
