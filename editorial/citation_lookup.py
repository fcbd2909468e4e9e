"""DOI and PMID look-up for the citation forms: the title, authors, year and journal of a
paper, from Crossref's works API (DOIs) and NCBI's E-utilities esummary (PubMed IDs).

Their base addresses are settings (CROSSREF_API_URL, NCBI_EUTILS_URL), the timeout is short
(CITATION_LOOKUP_TIMEOUT_SECONDS), and every way it can fail (no answer, no such record, an
answer we cannot read) raises LookupFailed with a sentence saying so, so the form is left as
it was and the writer can fill the fields in by hand.
"""

import re
from dataclasses import asdict, dataclass
from urllib.parse import quote

import httpx
from django.conf import settings

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")
PMID = re.compile(r"^\d{1,12}$")
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d|2100)\b")


class LookupFailed(Exception):
    """The look-up did not give usable details; the message says why, for the writer."""


@dataclass(frozen=True)
class PaperDetails:
    title: str
    authors: str
    year: int | None
    journal: str
    doi: str = ""
    pmid: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def normalise_doi(value: str) -> str:
    doi = value.strip()
    for prefix in DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :].strip()
    if not DOI.match(doi):
        raise LookupFailed(
            f"“{value.strip()}” is not a DOI: a DOI starts with 10. and a slash, "
            "for example 10.1136/bmj.n71."
        )
    return doi


def normalise_pmid(value: str) -> str:
    pmid = value.strip()
    if not PMID.match(pmid):
        raise LookupFailed(
            f"“{pmid}” is not a PubMed ID: a PMID is digits only, for example 33782057."
        )
    return pmid


def _get_json(service: str, url: str, params: dict | None = None):
    timeout = settings.CITATION_LOOKUP_TIMEOUT_SECONDS
    try:
        response = httpx.get(
            url,
            params=params,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": f"{settings.SITE_NAME} editors"},
            follow_redirects=True,
        )
    except httpx.TimeoutException:
        raise LookupFailed(
            f"{service} did not answer within {timeout:g} seconds. Try again later, or fill "
            "in the fields yourself."
        ) from None
    except httpx.HTTPError as error:
        raise LookupFailed(
            f"Could not reach {service} ({error.__class__.__name__}). Try again later, or fill "
            "in the fields yourself."
        ) from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise LookupFailed(
            f"{service} answered with HTTP {response.status_code}. Try again later, or fill "
            "in the fields yourself."
        )
    try:
        return response.json()
    except ValueError:
        raise LookupFailed(_unreadable(service)) from None


def _unreadable(service: str) -> str:
    return (
        f"{service}'s answer could not be read. Nothing was filled in; fill in the fields yourself."
    )


def _initials(given: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def look_up_doi(value: str) -> PaperDetails:
    doi = normalise_doi(value)
    data = _get_json("Crossref", f"{settings.CROSSREF_API_URL}/works/{quote(doi, safe='/')}")
    if data is None:
        raise LookupFailed(f"Crossref has no record of the DOI {doi}. Check it for typos.")
    try:
        work = data["message"]
        title = _clip(" ".join(work.get("title") or []), 500)
        authors = ", ".join(
            " ".join(filter(None, [person.get("family", ""), _initials(person.get("given", ""))]))
            or person.get("name", "")
            for person in work.get("author") or []
        )
        parts = (work.get("issued") or work.get("published") or {}).get("date-parts") or [[]]
        year = int(parts[0][0]) if parts and parts[0] and parts[0][0] else None
        journal = _clip(" ".join(work.get("container-title") or []), 200)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        raise LookupFailed(_unreadable("Crossref")) from None
    if not title:
        raise LookupFailed(_unreadable("Crossref"))
    return PaperDetails(title, _clip(authors, 500), year, journal, doi=doi)


def look_up_pmid(value: str) -> PaperDetails:
    pmid = normalise_pmid(value)
    data = _get_json(
        "NCBI (PubMed)",
        f"{settings.NCBI_EUTILS_URL}/esummary.fcgi",
        {"db": "pubmed", "id": pmid, "retmode": "json"},
    )
    missing = f"PubMed has no record of the PMID {pmid}. Check it for typos."
    if data is None:
        raise LookupFailed(missing)
    try:
        summary = data["result"][pmid]
        if summary.get("error"):
            raise LookupFailed(missing)
        title = _clip(summary.get("title", ""), 500).removesuffix(".")
        authors = ", ".join(a["name"] for a in summary.get("authors") or [] if a.get("name"))
        found = YEAR.search(summary.get("pubdate", "") or summary.get("sortpubdate", ""))
        journal = _clip(summary.get("fulljournalname") or summary.get("source", ""), 200)
        doi = next(
            (i["value"] for i in summary.get("articleids") or [] if i.get("idtype") == "doi"), ""
        )
    except LookupFailed:
        raise
    except (KeyError, TypeError, AttributeError):
        raise LookupFailed(_unreadable("NCBI (PubMed)")) from None
    if not title:
        raise LookupFailed(_unreadable("NCBI (PubMed)"))
    return PaperDetails(
        title, _clip(authors, 500), int(found[0]) if found else None, journal, doi=doi, pmid=pmid
    )
