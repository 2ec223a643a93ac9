"""Markdown written by editors, turned into HTML that can only contain an allow-list of tags."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
# Raw HTML in the Markdown is shown as text, never passed through: nh3 then guards what Markdown makes.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


# A stored media name exactly as services.media makes it: no dots, slashes or escapes that could lead the
# browser (and the officer's session) to another path such as /media/../kantor/….
CANONICAL_MEDIA_SRC = re.compile(r"/media/[A-Za-z0-9_-]{16,64}\.(?:jpg|png|webp)")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Images only from this site's media library, by their canonical URL (CSP would block others anyway)."""
    if tag == "img" and attribute == "src" and not CANONICAL_MEDIA_SRC.fullmatch(value):
        return None
    return value


def _demote_h1(tokens) -> None:
    # The page title is the only <h1>; '# Heading' in a body becomes an <h2>.
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def render_markdown(text: str | None) -> str:
    """Markdown to sanitized HTML: headings, lists, links (rel=noopener), tables, images with alt."""
    tokens = _markdown.parse(text or "")
    _demote_h1(tokens)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
    )


def image_alts_missing(text: str | None) -> bool:
    """True when the Markdown has an image without alt text (`![](…)`)."""
    for token in _markdown.parse(text or ""):
        for child in token.children or ():
            if child.type == "image" and not child.content.strip():
                return True
    return False
