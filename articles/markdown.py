"""Markdown rendering for article bodies and FAQ answers.

Editors write Markdown with inline citation markers, ``[^key]``. Raw HTML typed by an
editor is shown as text, never interpreted, and the rendered HTML is then sanitised with
nh3, so no script, event handler or ``javascript:`` URL can reach a reader, whatever was
typed. Each marker becomes a "Trusted Source" disclosure control naming its source.

Health callouts are fenced containers (mdit-py-plugins' container plugin)::

    ::: emergency Call your emergency number now if you have:
    - chest pain that spreads to your arm
    :::

``emergency`` (immediate action), ``urgent`` (urgent advice) and ``info`` (good to know);
the text after the name is the callout's heading (each kind has a default). A callout is a
``<section>`` labelled by its own heading, one level below the heading it follows.
"""

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from django.utils.html import escape, format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.container import container_plugin

logger = logging.getLogger(__name__)

CITATION_MARKER = re.compile(r"\[\^([^\]\s]+)\]")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "button", "code", "del", "div", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "section", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "button": {"type", "class", "aria-expanded", "aria-controls"},
    "h2": {"id", "class"},
    "h3": {"id", "class"},
    "h4": {"id", "class"},
    "h5": {"id", "class"},
    "h6": {"id", "class"},
    "ol": {"start"},
    "div": {"class"},
    "section": {"class", "aria-labelledby"},
    "span": {"class", "id", "hidden"},
    "td": {"class"},
    "th": {"class", "scope"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class CitedSource:
    """What a Trusted Source control shows about one citation."""

    key: str
    number: int
    source_name: str
    trust_label: str
    title: str
    url: str


def cited_keys(text: str) -> list[str]:
    """The citation keys a text refers to, in order of first appearance (not in code)."""
    keys = []
    for block in _parser.parse(text or ""):
        for child in block.children or []:
            if child.type == "citation_ref":
                keys.append(child.meta["key"])
    return list(dict.fromkeys(keys))


def unknown_citation_keys(text: str, known_keys) -> list[str]:
    """The keys cited in the text that are not among the known citation keys."""
    known = set(known_keys)
    return [key for key in cited_keys(text) if key not in known]


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[^", state.pos):
        return False
    match = CITATION_MARKER.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation_ref", "", 0)
        token.meta = {"key": match.group(1)}
    state.pos = match.end()
    return True


def _render_citation(renderer, tokens, idx, options, env):
    key = tokens[idx].meta["key"]
    cited = env.get("citations", {}).get(key)
    if cited is None:
        # Validation stops this in the admin and on import; never drop it silently here.
        logger.warning("Article cites unknown citation key %r", key)
        env.setdefault("unknown_keys", []).append(key)
        return format_html('<span class="citation-missing">[^{}]</span>', key)
    env["occurrence"] = env.get("occurrence", 0) + 1
    panel_id = f"{env.get('id_prefix', 'ts')}-{env['occurrence']}"
    return format_html(
        '<span class="trusted-source">'
        '<button type="button" class="ts-toggle" aria-expanded="false" aria-controls="{}">'
        '{}<span class="visually-hidden">: {}</span></button>'
        '<span class="ts-panel" id="{}" hidden>'
        '<span class="ts-name">{}</span> '
        '<span class="ts-label">{}</span> '
        '<a class="ts-go" href="{}">{}<span class="visually-hidden">: {}</span></a> '
        '<a class="ts-ref" href="#source-{}">{}</a>'
        "</span></span>",
        panel_id,
        _("Trusted Source"),
        cited.source_name,
        panel_id,
        cited.source_name,
        cited.trust_label,
        cited.url,
        _("Go to source"),
        cited.title,
        cited.number,
        _("Source %(number)s in the list below") % {"number": cited.number},
    )


def _heading_tag(tag: str, env) -> str:
    """The page title is the only h1: an editor's "# Heading" is a section heading like
    "## Heading". Text rendered under a heading of its own (an FAQ answer, under its h3
    question) starts lower: ``top_heading_level`` (2 for the body), at most h6."""
    level = max(int(tag[1]), 2) + env.get("top_heading_level", 2) - 2
    return f"h{min(level, 6)}"


def _render_heading_open(renderer, tokens, idx, options, env):
    token = tokens[idx]
    token.tag = _heading_tag(token.tag, env)
    env["last_heading_level"] = int(token.tag[1])
    if token.tag in ("h2", "h3"):
        inline = tokens[idx + 1]
        text = "".join(
            child.content for child in inline.children or [] if child.type != "citation_ref"
        ).strip()
        anchor = slugify(text)
        if anchor and _is_page_id(anchor):
            anchor = f"section-{anchor}"
        if anchor:
            seen = env.setdefault("anchors", set())
            candidate, n = anchor, 2
            while candidate in seen:
                candidate, n = f"{anchor}-{n}", n + 1
            seen.add(candidate)
            token.attrSet("id", candidate)
            if token.tag == "h2":
                env["outline"].append((candidate, text))
    return renderer.renderToken(tokens, idx, options, env)


# Ids the page templates use around the body; an editor's heading must never take one.
PAGE_IDS = {"main", "feedback", "content-main"}
PAGE_ID_PREFIXES = ("source-", "ts-", "faq", "feedback-", "site-search", "home-search",
                    "search-page")  # fmt: skip
PAGE_ID_SUFFIXES = ("-heading",)


def _is_page_id(anchor: str) -> bool:
    return (
        anchor in PAGE_IDS
        or anchor.startswith(PAGE_ID_PREFIXES)
        or anchor.endswith(PAGE_ID_SUFFIXES)
    )


def _render_heading_close(renderer, tokens, idx, options, env):
    tokens[idx].tag = _heading_tag(tokens[idx].tag, env)
    return renderer.renderToken(tokens, idx, options, env)


_TABLE_ALIGNMENT = re.compile(r"text-align:\s*(left|center|right)")


def _render_table_cell_open(renderer, tokens, idx, options, env):
    # A column's alignment becomes a class: the Content-Security-Policy refuses style attributes.
    token = tokens[idx]
    alignment = _TABLE_ALIGNMENT.fullmatch(token.attrs.pop("style", None) or "")
    if alignment:
        token.attrSet("class", f"align-{alignment.group(1)}")
    return renderer.renderToken(tokens, idx, options, env)


@dataclass(frozen=True)
class CalloutKind:
    name: str
    label: str  # said first in the heading, so it does not rest on colour alone
    default_heading: str


CALLOUT_KINDS = {
    kind.name: kind
    for kind in [
        CalloutKind(
            "emergency",
            gettext_lazy("Immediate action required"),
            gettext_lazy("Call your emergency number now"),
        ),
        CalloutKind("urgent", gettext_lazy("Urgent advice"), gettext_lazy("Get medical help soon")),
        CalloutKind("info", gettext_lazy("Good to know"), ""),
    ]
}
CALLOUT_LINE = re.compile(r"^(\S+)\s*(.*)$")
CALLOUT_FENCE = re.compile(r"^ {0,3}:{3,}[ \t]*([^\s:]+)", re.MULTILINE)


def unknown_callout_kinds(text: str) -> list[str]:
    """The kinds after an opening ``:::`` that are not callouts (they stay plain text)."""
    kinds = (match.group(1) for match in CALLOUT_FENCE.finditer(text or ""))
    return list(dict.fromkeys(kind for kind in kinds if kind not in CALLOUT_KINDS))


def _callout_renderer(kind: CalloutKind):
    def render(renderer, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == -1:
            return "</div></section>\n"
        env["callouts"] = env.get("callouts", 0) + 1
        heading_id = f"{env.get('id_prefix', 'ts')}-callout-{env['callouts']}"
        match = CALLOUT_LINE.match(token.info.strip())
        heading = (match.group(2) if match else "").strip() or str(kind.default_heading)
        # One level below the heading it follows; before any, the level the text starts at.
        last = env.get("last_heading_level")
        level = min(last + 1 if last else env.get("top_heading_level", 2), 6)
        label = f"{kind.label}:" if heading else kind.label
        heading_html = f" {escape(heading)}" if heading else ""
        return (
            f'<section class="callout callout-{kind.name}" aria-labelledby="{heading_id}">'
            f'<h{level} class="callout-heading" id="{heading_id}">'
            f'<span class="callout-kind">{escape(label)}</span>{heading_html}</h{level}>'
            '<div class="callout-body">\n'
        )

    return render


def _callout_validator(name: str):
    def validate(params: str, *args) -> bool:
        return params.strip().split(" ", 1)[0] == name

    return validate


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.inline.ruler.before("link", "citation_ref", _citation_rule)
    md.add_render_rule("citation_ref", _render_citation)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("th_open", _render_table_cell_open)
    md.add_render_rule("td_open", _render_table_cell_open)
    for kind in CALLOUT_KINDS.values():
        container_plugin(
            md, kind.name, validate=_callout_validator(kind.name), render=_callout_renderer(kind)
        )
    return md


_parser = _build_parser()


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


@dataclass(frozen=True)
class Rendered:
    html: str
    outline: list[tuple[str, str]]  # (anchor, text) of each section heading
    unknown_keys: list[str]


def render_markdown(
    text: str,
    *,
    citations: dict[str, CitedSource] | None = None,
    id_prefix: str = "ts",
    top_heading_level: int = 2,
) -> Rendered:
    """Render Markdown to sanitised HTML, turning [^key] markers into Trusted Source controls.

    Headings start at ``top_heading_level``; only h2 and h3 get anchors, and only h2 are
    in the outline.
    """
    env = {
        "citations": citations or {},
        "id_prefix": id_prefix,
        "outline": [],
        "top_heading_level": top_heading_level,
    }
    html = sanitize(_parser.render(text or "", env))
    unknown_keys = list(dict.fromkeys(env.get("unknown_keys", [])))
    return Rendered(html=html, outline=env["outline"], unknown_keys=unknown_keys)


class _TextExtractor(HTMLParser):
    """Collects the text of rendered HTML, leaving out the Trusted Source controls (their
    source names and labels are not what the article says) and keeping block breaks."""

    BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0  # > 0 inside a Trusted Source control

    def handle_starttag(self, tag, attrs):
        if self.skip_depth:
            if tag == "span":
                self.skip_depth += 1
        elif tag == "span" and "trusted-source" in (dict(attrs).get("class") or "").split():
            self.skip_depth = 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.skip_depth and tag == "span":
            self.skip_depth -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The plain text of rendered (sanitised) HTML: one line per block, spaces collapsed."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


def searchable_text(*, body_html: str, faqs: list[dict]) -> str:
    """What search matches besides the title and summary: the body's text and each FAQ's
    question and answer, from a version's rendered HTML."""
    parts = [html_to_text(body_html)]
    for faq in faqs:
        parts.append(faq.get("question", ""))
        parts.append(html_to_text(faq.get("answer_html", "")))
    return "\n".join(part for part in parts if part)
