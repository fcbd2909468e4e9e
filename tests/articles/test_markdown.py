"""Markdown rendering: hostile input is neutralised; citations become Trusted Source controls."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from articles.markdown import (
    CitedSource,
    cited_keys,
    render_markdown,
    sanitize,
    unknown_citation_keys,
)

# --- A small DOM built with html.parser, so tests look at real tags and attributes. ---

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset"}
DANGEROUS_SCHEMES = {"javascript", "vbscript", "data", "file"}
FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "img", "form",
                  "input", "link", "meta", "base"}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def text(self):
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag, **attrs):
        return [
            e
            for e in self.iter()
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, element_id):
        matches = [e for e in self.iter() if e.attrs.get("id") == element_id]
        assert len(matches) == 1, f"expected one element with id={element_id!r}: {matches}"
        return matches[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html):
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def url_scheme(url):
    """The scheme a browser would see (WHATWG URL parsing), or None for a relative URL."""
    url = url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12"
                    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")  # fmt: skip
    url = re.sub(r"[\t\n\r]", "", url)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


def assert_harmless(html):
    """No script, no event handler, no style, no dangerous URL anywhere in the output."""
    assert "<script" not in html.lower()
    for element in parse(html).iter():
        assert element.tag not in FORBIDDEN_TAGS, html
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"handler {name}={value!r} in {html}"
            assert name.lower() not in {"srcdoc", "formaction"}, html
            if name.lower() in URL_ATTRIBUTES and value is not None:
                assert url_scheme(value) not in DANGEROUS_SCHEMES, f"{name}={value!r} in {html}"
                assert "javascript:" not in value.lower(), html
        if element.tag not in {"td", "th"}:
            assert "style" not in element.attrs, html


# --- Hostile input. ---

HOSTILE = {
    "script": "Hi <script>alert(1)</script> there",
    "script-block": "<script>\nalert(document.cookie)\n</script>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "svg-onload": "<svg onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style-onclick": '<p style="color:red" onclick="steal()">hi</p>',
    "raw-a-javascript": "<a href=javascript:alert(1)>click</a>",
    "raw-a-quoted": '<a href="javascript:alert(1)" onmouseover="x()">click</a>',
    "md-link": "[click](javascript:alert(1))",
    "md-link-upper": "[click](JAVASCRIPT:alert(1))",
    "md-link-mixed": "[click](JaVaScRiPt:alert(1))",
    "md-link-tab-entity": "[click](java&#09;script:alert(1))",
    "md-link-hex-tab-entity": "[click](java&#x09;script:alert(1))",
    "md-link-newline-entity": "[click](java&#10;script:alert(1))",
    "md-link-literal-tab": "[click](<java\tscript:alert(1)>)",
    "md-link-entity-j": "[click](&#106;avascript:alert(1))",
    "md-link-colon-entity": "[click](javascript&colon;alert(1))",
    "md-link-control-char": "[click](\x01javascript:alert(1))",
    "md-link-percent": "[click](%6Aavascript:alert(1))",
    "md-link-angle": "[click](<javascript:alert(1)>)",
    "md-link-title-breakout": '[click](https://ok.example "a\\" onclick=\\"alert(1)")',
    "md-image": "![x](javascript:alert(1))",
    "md-image-onerror": '![x" onerror="alert(1)](https://ok.example/x.png)',
    "vbscript": "[click](vbscript:msgbox(1))",
    "file": "[click](file:///etc/passwd)",
    "data-html": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-image": "[click](data:image/png;base64,iVBORw0KGgo=)",
    "autolink": "<javascript:alert(1)>",
    "autolink-upper": "<JAVASCRIPT:alert(1)>",
    "autolink-data": "<data:text/html,<script>alert(1)</script>>",
    "reference": "[click][evil]\n\n[evil]: javascript:alert(1)",
    "reference-angle": "[click][]\n\n[click]: <javascript:alert(1)>",
    "reference-collapsed": '[click]\n\n[click]: JavaScript:alert(1) "title"',
    "reference-tab-entity": "[click][evil]\n\n[evil]: java&#09;script:alert(1)",
    "html-comment": "<!-- <script>alert(1)</script> -->",
    "html-in-heading": "## <img src=x onerror=alert(1)>",
    "html-in-table": "| a |\n|---|\n| <b onclick=x>b</b> |",
    "html-in-citation-key": "[^<script>alert(1)</script>]",
    "html-in-callout-heading": (
        "::: urgent <img src=x onerror=alert(1)> <script>x</script>\nSee a doctor.\n:::"
    ),
    "html-in-callout": (
        "::: emergency\n<iframe src=javascript:alert(1)></iframe>\n[x](javascript:alert(1))\n:::"
    ),
    "callout-heading-quotes": '::: info "><script>alert(1)</script>\nText\n:::',
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_neutralised(text):
    assert_harmless(render_markdown(text).html)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_next_to_a_citation_is_neutralised(text):
    cited = CitedSource("k", 1, "NHS", "Governmental authority", "Back pain", "https://nhs.uk/")
    assert_harmless(render_markdown(f"{text} [^k]\n\n{text}", citations={"k": cited}).html)


def test_raw_html_is_shown_as_text_not_interpreted():
    rendered = render_markdown("Use <b>bold</b> and <script>x()</script>")

    assert not parse(rendered.html).find_all("b")
    assert "&lt;script&gt;" in rendered.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered.html


def test_safe_links_survive_and_get_noopener():
    tree = parse(render_markdown("[NHS](https://www.nhs.uk/) and <https://who.int/>").html)

    links = tree.find_all("a")
    assert [a.attrs["href"] for a in links] == ["https://www.nhs.uk/", "https://who.int/"]
    assert all(a.attrs["rel"] == "noopener noreferrer" for a in links)


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)" onclick="x()" style="color:red">a</a>',
        "<script>alert(1)</script><p>after</p>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)><circle/></svg>",
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<a href="data:text/html,<script>alert(1)</script>">d</a>',
        '<a href="  JaVaScRiPt:alert(1)">x</a>',
        '<a href="java&#09;script:alert(1)">x</a>',
        '<button type="button" onclick="x()" formaction="javascript:alert(1)">b</button>',
        '<span class="x" onmouseover="x()" style="position:fixed">s</span>',
        '<h2 id="x" onfocus="x()" tabindex="1" autofocus>h</h2>',
        "<form action=javascript:alert(1)><input type=submit></form>",
        "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
        "<style>body{background:url(javascript:alert(1))}</style>",
    ],
)
def test_sanitize_strips_whatever_raw_html_reaches_it(html):
    assert_harmless(sanitize(html))


def test_sanitize_keeps_allowed_markup():
    html = sanitize('<p><a href="https://nhs.uk/" title="NHS">NHS</a> <strong>x</strong></p>')

    tree = parse(html)
    (link,) = tree.find_all("a")
    assert (link.attrs["href"], link.attrs["title"]) == ("https://nhs.uk/", "NHS")
    assert tree.find_all("strong")[0].text == "x"


# --- Trusted Source controls. ---


def cited(key="nhs", number=1, **overrides):
    values = {
        "source_name": "NHS",
        "trust_label": "Governmental authority",
        "title": "Back pain",
        "url": "https://www.nhs.uk/conditions/back-pain/",
    }
    values.update(overrides)
    return CitedSource(key=key, number=number, **values)


def test_marker_renders_a_disclosure_button_and_a_hidden_panel():
    rendered = render_markdown("Most back pain gets better.[^nhs]", citations={"nhs": cited()})

    tree = parse(rendered.html)
    (button,) = tree.find_all("button")
    assert button.attrs["type"] == "button"
    assert button.attrs["aria-expanded"] == "false"
    panel = tree.by_id(button.attrs["aria-controls"])
    assert "hidden" in panel.attrs
    assert "NHS" in button.text  # the accessible name says which source
    assert "Governmental authority" in panel.text
    (go,) = [a for a in panel.find_all("a") if a.text.startswith("Go to source")]
    assert go.attrs["href"] == "https://www.nhs.uk/conditions/back-pain/"
    assert "Back pain" in go.text
    assert rendered.unknown_keys == []


def test_marker_links_to_the_numbered_entry_in_the_sources_list():
    rendered = render_markdown("Claim.[^who]", citations={"who": cited("who", number=3)})

    refs = [a for a in parse(rendered.html).find_all("a") if a.attrs["href"] == "#source-3"]
    assert len(refs) == 1
    assert "Source 3" in refs[0].text


def test_every_marker_gets_its_own_panel_id_with_the_given_prefix():
    citations = {"nhs": cited(), "who": cited("who", 2, source_name="WHO")}

    rendered = render_markdown(
        "One.[^nhs] Two.[^who] Three.[^nhs]", citations=citations, id_prefix="faq2"
    )

    tree = parse(rendered.html)
    controls = [b.attrs["aria-controls"] for b in tree.find_all("button")]
    assert controls == ["faq2-1", "faq2-2", "faq2-3"]
    assert [tree.by_id(c).find_all("span", **{"class": "ts-name"})[0].text for c in controls] == [
        "NHS",
        "WHO",
        "NHS",
    ]


def test_query_string_in_the_citation_url_survives():
    url = "https://pubmed.ncbi.nlm.nih.gov/?term=back+pain&sort=date"
    rendered = render_markdown("Claim.[^pm]", citations={"pm": cited("pm", url=url)})

    (go,) = parse(rendered.html).find_all("a", **{"class": "ts-go"})
    assert go.attrs["href"] == url


def test_source_names_titles_and_labels_with_html_are_escaped():
    hostile = cited(
        source_name='<b onclick="x()">NHS</b> & co',
        trust_label="<script>alert(1)</script>",
        title='"><img src=x onerror=alert(1)>',
    )

    rendered = render_markdown("Claim.[^nhs]", citations={"nhs": hostile})

    assert_harmless(rendered.html)
    tree = parse(rendered.html)
    assert not tree.find_all("b")
    assert '<b onclick="x()">NHS</b> & co' in tree.find_all("button")[0].text
    assert "<script>alert(1)</script>" in tree.find_all("span", **{"class": "ts-label"})[0].text


def test_a_javascript_citation_url_loses_its_href():
    rendered = render_markdown("Claim.[^x]", citations={"x": cited("x", url="javascript:alert(1)")})

    assert_harmless(rendered.html)


def test_unknown_key_is_reported_and_shown_not_dropped():
    rendered = render_markdown("Claim.[^nope] Also.[^nhs]", citations={"nhs": cited()})

    assert set(rendered.unknown_keys) == {"nope"}
    (missing,) = parse(rendered.html).find_all("span", **{"class": "citation-missing"})
    assert missing.text == "[^nope]"
    assert len(parse(rendered.html).find_all("button")) == 1


def test_unknown_key_is_logged(caplog):
    with caplog.at_level("WARNING", logger="articles.markdown"):
        render_markdown("Claim.[^nope]")

    assert "nope" in caplog.text


def test_markers_in_code_spans_and_blocks_are_not_citations():
    text = "Write `[^nhs]` like this.\n\n```\n[^fenced]\n```\n\n    [^indented]\n\nReal.[^nhs]"

    rendered = render_markdown(text, citations={"nhs": cited()})

    assert cited_keys(text) == ["nhs"]
    assert rendered.unknown_keys == []
    tree = parse(rendered.html)
    assert [c.text for c in tree.find_all("code")] == ["[^nhs]", "[^fenced]\n", "[^indented]\n"]
    assert len(tree.find_all("button")) == 1


def test_escaped_marker_is_not_a_citation():
    assert cited_keys(r"Literally \[^nhs] here") == []


def test_markers_in_lists_quotes_tables_and_headings_are_citations():
    text = "## Heading [^h]\n\n- item [^li]\n\n> quote [^q]\n\n| a |\n|---|\n| cell [^td] |"

    assert cited_keys(text) == ["h", "li", "q", "td"]


def test_cited_keys_in_order_of_first_appearance_without_duplicates():
    assert cited_keys("x [^b] y [^a] z [^b] w [^c] [^a]") == ["b", "a", "c"]
    assert cited_keys("") == []
    assert cited_keys(None) == []


def test_unknown_citation_keys_lists_only_the_uncited_ones_in_order():
    text = "x [^b] y [^a] z [^b] w [^c]"

    assert unknown_citation_keys(text, ["a"]) == ["b", "c"]
    assert unknown_citation_keys(text, {"a", "b", "c"}) == []


# --- Headings and outline. ---


def test_h1_becomes_h2_because_the_title_is_the_only_h1():
    tree = parse(render_markdown("# Overview\n\nText.").html)

    assert not tree.find_all("h1")
    assert [h.text for h in tree.find_all("h2")] == ["Overview"]


def test_headings_get_unique_ids_and_h2s_form_the_outline():
    text = "# Symptoms\n\n## Causes\n\n### Details\n\n## Causes\n\n## Causes 2\n\n## Causes"

    rendered = render_markdown(text)

    tree = parse(rendered.html)
    ids = [h.attrs.get("id") for h in tree.iter() if h.tag in {"h2", "h3"}]
    assert ids == ["symptoms", "causes", "details", "causes-2", "causes-2-2", "causes-3"]
    assert len(set(ids)) == len(ids)
    assert rendered.outline == [
        ("symptoms", "Symptoms"),
        ("causes", "Causes"),
        ("causes-2", "Causes"),
        ("causes-2-2", "Causes 2"),
        ("causes-3", "Causes"),
    ]


def test_text_under_a_heading_of_its_own_starts_its_headings_lower():
    # An FAQ answer sits under its h3 question: its headings start at h4, capped at h6.
    rendered = render_markdown(
        "# Big\n\n## Smaller\n\n### Detail\n\n#### Fine", top_heading_level=4
    )

    tree = parse(rendered.html)
    headings = [h for h in tree.iter() if h.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    assert [h.tag for h in headings] == ["h4", "h4", "h5", "h6"]
    assert not any(h.attrs.get("id") for h in headings)
    assert rendered.outline == []


def test_outline_text_leaves_out_citation_markers():
    rendered = render_markdown("## Fibre and *bowel* health[^nhs]", citations={"nhs": cited()})

    assert rendered.outline == [("fibre-and-bowel-health", "Fibre and bowel health")]


def test_heading_ids_start_afresh_for_each_render():
    assert render_markdown("## Causes").outline == render_markdown("## Causes").outline


def test_empty_input_renders_nothing():
    rendered = render_markdown("")

    assert (rendered.html, rendered.outline, rendered.unknown_keys) == ("", [], [])


@pytest.mark.parametrize("heading", ["Main", "Feedback", "Source 1", "Sources heading", "FAQ"])
def test_editor_headings_never_take_an_id_the_page_uses(heading):
    from django.utils.text import slugify

    rendered = render_markdown(f"## {heading}\n\nText.")
    ((anchor, _),) = rendered.outline
    assert anchor == f"section-{slugify(heading)}"
    assert f'id="{anchor}"' in rendered.html


# --- Health callouts ---


def test_each_callout_is_a_region_labelled_by_its_own_heading():
    rendered = render_markdown(
        "## When to get help\n\n"
        "::: emergency Call your emergency number now if you have:\n"
        "- chest pain that spreads to your arm\n"
        ":::\n\n"
        "::: urgent\nAsk for an urgent appointment.\n:::\n\n"
        "::: info Worth knowing\nMost people recover.\n:::"
    )

    tree = parse(rendered.html)
    sections = tree.find_all("section")
    assert [s.attrs["class"] for s in sections] == [
        "callout callout-emergency",
        "callout callout-urgent",
        "callout callout-info",
    ]
    headings = [tree.by_id(s.attrs["aria-labelledby"]) for s in sections]
    assert [h.tag for h in headings] == ["h3", "h3", "h3"]  # one below the section's h2
    assert [h.text for h in headings] == [
        "Immediate action required: Call your emergency number now if you have:",
        "Urgent advice: Get medical help soon",
        "Good to know: Worth knowing",
    ]
    assert [li.text for li in sections[0].find_all("li")] == ["chest pain that spreads to your arm"]
    assert rendered.outline == [("when-to-get-help", "When to get help")]


def test_a_callout_before_any_heading_starts_at_the_texts_top_level():
    body = parse(render_markdown("::: info\nText\n:::").html)
    answer = parse(
        render_markdown("::: info\nText\n:::", id_prefix="faq1", top_heading_level=4).html
    )

    assert [h.tag for h in body.find_all("h2")] == ["h2"]
    (heading,) = answer.find_all("h4")
    assert heading.attrs["id"] == "faq1-callout-1"


def test_callouts_cite_and_nest_markdown():
    rendered = render_markdown(
        "::: emergency\nCall now.[^nhs] **Do not drive yourself.**\n:::", citations={"nhs": cited()}
    )

    tree = parse(rendered.html)
    (section,) = tree.find_all("section")
    assert section.find_all("button") and section.find_all("strong")


def test_an_unknown_callout_kind_stays_text():
    rendered = render_markdown("::: warning\nCareful.\n:::")

    assert not parse(rendered.html).find_all("section")
    assert "::: warning" in rendered.html
