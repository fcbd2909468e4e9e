"""The editor's desk on the article change page: the live preview of the body and the DOI/PMID
look-up, two staff-only POST endpoints that static/js/editor-desk.js calls as the writer types.

The preview is rendered by articles.markdown.render_markdown, the renderer of the public page,
with the citations as the form has them (saved or not), so unknown [^key] markers are flagged
before saving. Both endpoints are behind the admin's sign-in and CSRF protection and check the
writer's permission; the body's size is limited.
"""

import json

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from articles.markdown import CALLOUT_KINDS, CitedSource, render_markdown, unknown_callout_kinds
from articles.models import Source
from editorial.citation_lookup import LookupFailed, look_up_doi, look_up_pmid

# A long article is about 30,000 characters; this leaves room and refuses megabytes.
MAX_PREVIEW_CHARACTERS = 200_000
MAX_PREVIEW_CITATIONS = 200


def may_edit_articles(user) -> bool:
    return user.has_perm("articles.change_article") or user.has_perm("articles.add_article")


def _refused():
    return JsonResponse(
        {"error": "You may not edit articles, so there is nothing to preview or look up."},
        status=403,
    )


def _citations(raw: str) -> dict[str, CitedSource] | None:
    """The form's citations, numbered in their order; None when the data is not a list."""
    try:
        entries = json.loads(raw or "[]")
    except ValueError:
        return None
    if not isinstance(entries, list) or len(entries) > MAX_PREVIEW_CITATIONS:
        return None
    entries = [e for e in entries if isinstance(e, dict) and str(e.get("key", "")).strip()]
    source_ids = {str(e.get("source", "")) for e in entries if str(e.get("source", "")).isdigit()}
    sources = {str(s.pk): s for s in Source.objects.filter(pk__in=source_ids)}
    cited = {}
    for number, entry in enumerate(entries, start=1):
        key = str(entry["key"]).strip()
        source = sources.get(str(entry.get("source", "")))
        cited.setdefault(
            key,
            CitedSource(
                key=key,
                number=number,
                source_name=source.name if source else "No source chosen yet",
                trust_label=source.trust_label if source else "",
                title=str(entry.get("title", ""))[:500],
                url=str(entry.get("url", ""))[:1000],
            ),
        )
    return cited


@require_POST
def preview_view(request):
    if not may_edit_articles(request.user):
        return _refused()
    body = request.POST.get("body", "")
    if len(body) > MAX_PREVIEW_CHARACTERS:
        return JsonResponse(
            {
                "error": f"The body is {len(body):,} characters long; the preview shows at most "
                f"{MAX_PREVIEW_CHARACTERS:,}. Split the article, or save it and use "
                "“Preview working copy”."
            },
            status=413,
        )
    cited = _citations(request.POST.get("citations", ""))
    if cited is None:
        return JsonResponse(
            {"error": "The citations sent with the preview could not be read."}, status=400
        )
    rendered = render_markdown(body, citations=cited, id_prefix="preview-ts")
    return JsonResponse(
        {
            "html": rendered.html,
            "outline": [text for _, text in rendered.outline],
            "unknown_keys": rendered.unknown_keys,
            "unknown_callouts": unknown_callout_kinds(body),
            "callout_kinds": list(CALLOUT_KINDS),
        }
    )


@require_POST
def look_up_view(request):
    if not may_edit_articles(request.user):
        return _refused()
    doi, pmid = request.POST.get("doi", "").strip(), request.POST.get("pmid", "").strip()
    if not (doi or pmid):
        return JsonResponse({"error": "Type a DOI or a PMID first, then look it up."}, status=400)
    try:
        details = look_up_doi(doi) if doi else look_up_pmid(pmid)
    except LookupFailed as failure:
        return JsonResponse({"error": str(failure)}, status=502)
    source = (
        Source.objects.filter(name__iexact=details.journal).values("pk", "name").first()
        if details.journal
        else None
    )
    service = "Crossref" if doi else "PubMed"
    note = (
        f" The source is set to {source['name']}."
        if source
        else (
            f" No source is named “{details.journal}”: choose or add one."
            if details.journal
            else ""
        )
    )
    return JsonResponse(
        {
            "fields": details.as_dict(),
            "source": {"id": source["pk"], "name": source["name"]} if source else None,
            "message": f"Filled in from {service}; check each field, you can still edit them."
            + note,
        }
    )
