"""Markdown rendering for article bodies and FAQ answers.

Editors write Markdown with inline citation markers, ``[^key]``. Raw HTML typed by an
editor is shown as text, never interpreted, and the rendered HTML is then sanitised with
nh3, so no script, event handler or ``javascript:`` URL can reach a reader, whatever was
typed. Each marker becomes a "Trusted Source" disclosure control naming its source.
"""

import logging
import re
from dataclasses import dataclass

import nh3
from django.utils.html import format_html
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

logger = logging.getLogger(__name__)

CITATION_MARKER = re.compile(r"\[\^([^\]\s]+)\]")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "button", "code", "del", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "button": {"type", "class", "aria-expanded", "aria-controls"},
    "h2": {"id"},
    "h3": {"id"},
    "ol": {"start"},
    "span": {"class", "id", "hidden"},
    "td": {"style"},
    "th": {"style", "scope"},
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
        'Trusted Source<span class="visually-hidden">: {}</span></button>'
        '<span class="ts-panel" id="{}" hidden>'
        '<span class="ts-name">{}</span> '
        '<span class="ts-label">{}</span> '
        '<a class="ts-go" href="{}">Go to source<span class="visually-hidden">: {}</span></a> '
        '<a class="ts-ref" href="#source-{}">Source {} in the list below</a>'
        "</span></span>",
        panel_id,
        cited.source_name,
        panel_id,
        cited.source_name,
        cited.trust_label,
        cited.url,
        cited.title,
        cited.number,
        cited.number,
    )


def _render_heading_open(renderer, tokens, idx, options, env):
    token = tokens[idx]
    # The page title is the only h1; an editor's "# Heading" becomes a section heading.
    if token.tag == "h1":
        token.tag = "h2"
    if token.tag in ("h2", "h3"):
        inline = tokens[idx + 1]
        text = "".join(
            child.content for child in inline.children or [] if child.type != "citation_ref"
        ).strip()
        anchor = slugify(text)
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


def _render_heading_close(renderer, tokens, idx, options, env):
    if tokens[idx].tag == "h1":
        tokens[idx].tag = "h2"
    return renderer.renderToken(tokens, idx, options, env)


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.inline.ruler.before("link", "citation_ref", _citation_rule)
    md.add_render_rule("citation_ref", _render_citation)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
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
    text: str, *, citations: dict[str, CitedSource] | None = None, id_prefix: str = "ts"
) -> Rendered:
    """Render Markdown to sanitised HTML, turning [^key] markers into Trusted Source controls."""
    env = {"citations": citations or {}, "id_prefix": id_prefix, "outline": []}
    html = sanitize(_parser.render(text or "", env))
    unknown_keys = list(dict.fromkeys(env.get("unknown_keys", [])))
    return Rendered(html=html, outline=env["outline"], unknown_keys=unknown_keys)
