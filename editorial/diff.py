"""A readable diff between two content snapshots (see articles.services.content_snapshot)."""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    change: str  # "added", "removed" or "same"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    label: str
    lines: list[DiffLine]

    @property
    def changed(self):
        return any(line.change != "same" for line in self.lines)


def _citation_lines(snapshot):
    return [
        f"[^{c['key']}] {c['title']} — {c['url']} ({c['source']}"
        + (f", {c['year']}" if c.get("year") else "")
        + ")"
        for c in snapshot.get("citations", [])
    ]


def _faq_lines(snapshot):
    lines = []
    for faq in snapshot.get("faqs", []):
        lines.append(f"Q: {faq['question']}")
        lines.extend(f"A: {line}" for line in faq["answer"].splitlines())
    return lines


SECTIONS = [
    ("Title", lambda s: [s.get("title", "")]),
    ("Summary", lambda s: [s.get("summary", "")]),
    ("Body", lambda s: s.get("body", "").splitlines()),
    ("Citations", _citation_lines),
    ("FAQs", _faq_lines),
]


def diff_snapshots(old: dict, new: dict, *, context: int = 2) -> list[SectionDiff]:
    """Each section's changed lines with a little context; unchanged sections are left out."""
    sections = []
    for label, lines_of in SECTIONS:
        before, after = lines_of(old), lines_of(new)
        if before == after:
            continue
        lines = []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for group in matcher.get_grouped_opcodes(context):
            if lines:
                lines.append(DiffLine("same", "…"))
            for tag, i1, i2, j1, j2 in group:
                if tag == "equal":
                    lines.extend(DiffLine("same", text) for text in before[i1:i2])
                    continue
                lines.extend(DiffLine("removed", text) for text in before[i1:i2])
                lines.extend(DiffLine("added", text) for text in after[j1:j2])
        sections.append(SectionDiff(label, lines))
    return sections
