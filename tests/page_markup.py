"""Read what a page tells search engines and readers: head tags, JSON-LD, visible dates and
breadcrumbs, parsed from the HTML (no string matching on markup)."""

import json
from html.parser import HTMLParser


class PageMarkup(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self.metas: list[dict] = []
        self.links: list[dict] = []
        self.json_ld_blocks: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self.breadcrumbs: list[tuple[str, str | None]] = []  # (text, href) in order
        self.times: list[tuple[str, str]] = []  # (datetime attribute, text before it)
        self.text_log: list[str] = []
        self._capture: str | None = None
        self._buffer: list[str] = []
        self._in_breadcrumbs = False
        self._crumb_href: str | None = None
        self._crumb_text: list[str] | None = None
        self._in_head = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "head":
            self._in_head = True
        elif tag == "title":
            self._capture, self._buffer = "title", []
        elif tag == "meta" and self._in_head:
            self.metas.append(attrs)
        elif tag == "link" and self._in_head:
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._capture, self._buffer = "json_ld", []
        elif tag == "nav" and attrs.get("aria-label") == "Breadcrumb":
            self._in_breadcrumbs = True
        elif self._in_breadcrumbs and tag == "li":
            self._crumb_href, self._crumb_text = None, []
        elif self._in_breadcrumbs and tag == "a":
            self._crumb_href = attrs.get("href")
        elif tag == "time":
            self.times.append((attrs.get("datetime"), "".join(self.text_log[-3:])))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "title" and self._capture == "title":
            self.titles.append("".join(self._buffer))
            self._capture = None
        elif tag == "script" and self._capture == "json_ld":
            self.json_ld_blocks.append("".join(self._buffer))
            self._capture = None
        elif tag == "nav" and self._in_breadcrumbs:
            self._in_breadcrumbs = False
        elif self._in_breadcrumbs and tag == "li" and self._crumb_text is not None:
            self.breadcrumbs.append((" ".join("".join(self._crumb_text).split()), self._crumb_href))
            self._crumb_text = None

    def handle_data(self, data):
        if self._capture:
            self._buffer.append(data)
        if self._crumb_text is not None:
            self._crumb_text.append(data)
        if data.strip():
            self.text_log.append(data)

    # What tests ask for

    def meta(self, key: str) -> list[str]:
        """The content of each <meta name=key> or <meta property=key>."""
        return [
            m.get("content") for m in self.metas if m.get("name") == key or m.get("property") == key
        ]

    def one_meta(self, key: str) -> str:
        values = self.meta(key)
        assert len(values) == 1, (key, values)
        return values[0]

    def link_hrefs(self, rel: str, **attrs) -> list[str]:
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and all(link.get(k) == v for k, v in attrs.items())
        ]

    def canonical(self) -> str:
        hrefs = self.link_hrefs("canonical")
        assert len(hrefs) == 1, hrefs
        return hrefs[0]

    def json_ld(self) -> dict:
        """The page's one JSON-LD block, parsed."""
        assert len(self.json_ld_blocks) == 1, self.json_ld_blocks
        return json.loads(self.json_ld_blocks[0])

    def graph_node(self, schema_type: str) -> dict:
        nodes = [node for node in self.json_ld()["@graph"] if node["@type"] == schema_type]
        assert len(nodes) == 1, (schema_type, nodes)
        return nodes[0]

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            found
            for name, found in self.elements
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]

    def time_after(self, label: str) -> str:
        """The datetime of the first <time> right after the text ``label``."""
        for value, before in self.times:
            if label in before:
                return value
        raise AssertionError(f"No <time> after {label!r}")


def markup(response) -> PageMarkup:
    assert response.status_code == 200
    return PageMarkup(response.content.decode())
