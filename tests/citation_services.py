"""A local HTTP server that answers as Crossref's works API and NCBI's esummary do, for the
DOI/PMID look-up tests (tests/editorial/test_editor_desk.py and the browser test)."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CROSSREF_WORK = {
    "status": "ok",
    "message-type": "work",
    "message": {
        "DOI": "10.1136/bmj.n71",
        "title": [
            "The PRISMA 2020 statement: an updated guideline for reporting systematic reviews"
        ],
        "author": [
            {"given": "Matthew J", "family": "Page", "sequence": "first"},
            {"given": "Joanne E.", "family": "McKenzie", "sequence": "additional"},
            {"name": "PRISMA Group", "sequence": "additional"},
        ],
        "container-title": ["BMJ"],
        "issued": {"date-parts": [[2021, 3, 29]]},
        "URL": "https://doi.org/10.1136/bmj.n71",
    },
}
ESUMMARY = {
    "header": {"type": "esummary", "version": "0.3"},
    "result": {
        "uids": ["33782057"],
        "33782057": {
            "uid": "33782057",
            "pubdate": "2021 Mar 29",
            "source": "BMJ",
            "authors": [
                {"name": "Page MJ", "authtype": "Author"},
                {"name": "McKenzie JE", "authtype": "Author"},
            ],
            "title": "The PRISMA 2020 statement: an updated guideline for reporting systematic "
            "reviews.",
            "fulljournalname": "BMJ (Clinical research ed.)",
            "articleids": [
                {"idtype": "pubmed", "value": "33782057"},
                {"idtype": "doi", "value": "10.1136/bmj.n71"},
            ],
        },
    },
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.server.requests.append(self.path)
        if url.path == "/crossref/works/10.1136/bmj.n71":
            return self.reply(200, CROSSREF_WORK)
        if url.path == "/crossref/works/10.9999/slow":
            time.sleep(1.5)
            return self.reply(200, CROSSREF_WORK)
        if url.path == "/crossref/works/10.9999/garbled":
            return self.reply(200, b"<html>not json</html>")
        if url.path == "/crossref/works/10.9999/odd":
            return self.reply(
                200, {"status": "ok", "message": {"title": "not a list", "author": 5}}
            )
        if url.path == "/eutils/esummary.fcgi" and query.get("db") == ["pubmed"]:
            pmid = query["id"][0]
            if pmid == "33782057":
                return self.reply(200, ESUMMARY)
            if pmid == "2":
                return self.reply(200, {"result": {"uids": ["2"], "2": ["garbled"]}})
            return self.reply(
                200,
                {"result": {"uids": [pmid], pmid: {"uid": pmid, "error": "cannot get document"}}},
            )
        return self.reply(404, {"status": "error", "message": "Resource not found."})

    def reply(self, status, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def citation_services(settings, monkeypatch):
    """Serve on a free port and point the look-up settings at it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.requests = []
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    settings.CROSSREF_API_URL = f"{base}/crossref"
    settings.NCBI_EUTILS_URL = f"{base}/eutils"
    settings.CITATION_LOOKUP_TIMEOUT_SECONDS = 0.5
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
