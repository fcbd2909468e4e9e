"""The audit trail as CSV: an article's whole trail (edits, submissions, decisions with their
signed statements, publications, unpublications, schedule changes) or the site's for a date
range. Cells a spreadsheet would run as a formula are quoted."""

import csv
import datetime
import io

from django.utils import timezone

from articles.models import ArticleEvent, PublishedVersion
from editorial.models import SignOff

COLUMNS = ["time", "article_id", "article", "kind", "action", "by", "detail",
           "decision", "statement", "confirmed_by", "confirmed_at", "content_fingerprint",
           "version"]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell as text, with a leading quote when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _who(user) -> str:
    return user.get_username() if user else ""


def trail_rows(*, article=None, since: datetime.date | None = None,
               until: datetime.date | None = None) -> list[dict]:  # fmt: skip
    events = ArticleEvent.objects.select_related("article", "actor")
    sign_offs = SignOff.objects.select_related("article", "decided_by", "reviewer")
    versions = PublishedVersion.objects.select_related("article", "published_by").defer(
        "rendered_page", "body_html", "content", "search_text", "search_document"
    )
    if article is not None:
        events, sign_offs = events.filter(article=article), sign_offs.filter(article=article)
        versions = versions.filter(article=article)
    for name, day in (("gte", since), ("lt", until and until + datetime.timedelta(days=1))):
        if day:
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            events = events.filter(**{f"created_at__{name}": start})
            sign_offs = sign_offs.filter(**{f"created_at__{name}": start})
            versions = versions.filter(**{f"published_at__{name}": start})
    rows = [
        {"time": e.created_at, "article_id": e.article_id, "article": e.article.title,
         "kind": "audit entry", "action": e.action, "by": _who(e.actor), "detail": e.detail}
        for e in events
    ] + [
        {"time": s.created_at, "article_id": s.article_id, "article": s.article.title,
         "kind": "sign-off", "action": s.get_decision_display(), "by": _who(s.decided_by),
         "detail": s.notes, "decision": s.decision, "statement": s.statement,
         "confirmed_by": s.get_confirmation_method_display(),
         "confirmed_at": s.confirmed_at or "", "content_fingerprint": s.content_fingerprint}
        for s in sign_offs
    ] + [
        {"time": v.published_at, "article_id": v.article_id, "article": v.article.title,
         "kind": "published version", "action": v.get_kind_display(),
         "by": _who(v.published_by), "detail": v.change_summary,
         "content_fingerprint": v.content_fingerprint, "version": v.number}
        for v in versions
    ]  # fmt: skip
    rows.sort(key=lambda row: (row["time"], row["kind"]))
    return rows


def trail_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        if isinstance(row["time"], datetime.datetime):
            row = {**row, "time": timezone.localtime(row["time"]).isoformat()}
        writer.writerow([safe_cell(row.get(column, "")) for column in COLUMNS])
    return out.getvalue()
