"""Posts as Markdown made safe: HTML that cannot run script, and plain text for search and feeds.

Markdown is parsed by markdown-it-py (CommonMark, plus tables and strikethrough) with raw HTML
turned off, so `<script>` arrives as text; nh3 then cleans the result against an allow-list as a
second wall, should the parser ever let something through. Links keep only http, https, mailto
and same-site addresses and carry rel="nofollow ugc noopener".

Images are not shown: `![alt](url)` becomes a link to the image. A picture from another site
would tell that site who reads the forum and when, and could be swapped for another after a
moderator looked; the forum has no uploads of its own, so there are no same-site images to allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from flows.conversation import clean_text, clean_title

# Headings in a post sit under the page's h1 and the post's own h2.
_HEADING_SHIFT = 2

BLOCKS = ("p", "li", "blockquote", "h3", "h4", "h5", "h6", "th", "td")
TAGS = {
    *BLOCKS,
    "a",
    "br",
    "hr",
    "ul",
    "ol",
    "strong",
    "em",
    "code",
    "pre",
    "s",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
}
LINK_REL = "nofollow ugc noopener"

_cleaner = nh3.Cleaner(
    tags=TAGS,
    # Dropped with everything inside them, not unwrapped into text.
    clean_content_tags={"script", "style", "svg", "math", "iframe", "object", "embed"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}},
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    link_rel=LINK_REL,
    set_tag_attribute_values={tag: {"dir": "auto"} for tag in BLOCKS},
    strip_comments=True,
)


def _image_as_link(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "an image"
    href = escapeHtml(str(token.attrGet("src") or ""))
    return f'<a href="{href}">Image: {escapeHtml(alt)}</a>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image_as_link)
    return md


_md = _parser()


def _shift_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + _HEADING_SHIFT)
            token.tag = f"h{level}"


def render(markdown: str) -> str:
    """The post's HTML: safe to put in a page as it is."""
    tokens = _md.parse(clean_text(markdown))
    _shift_headings(tokens)
    html = _md.renderer.render(tokens, _md.options, {})
    return _cleaner.clean(html)


def plain_text(markdown: str) -> str:
    """The words of a post on one line, for search and feed summaries.

    Quoted text is left out: it belongs to the post it came from, where search finds it.
    """
    words: list[str] = []
    depth = 0
    for token in _md.parse(clean_text(markdown)):
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
        elif depth:
            continue
        elif token.type in ("fence", "code_block"):
            words.append(token.content)
        elif token.type == "inline":
            words.extend(_inline_text(token.children or []))
    return clean_title(" ".join(words))


def _inline_text(children: list[Token]) -> list[str]:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.extend(_inline_text(child.children or []))
    return ["".join(parts)]


def summary(markdown: str, limit: int = 200) -> str:
    """The start of a post's plain text, cut at a word near `limit` characters."""
    text = plain_text(markdown)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


def quote(markdown: str) -> str:
    """`markdown` as a Markdown quote (`> ` before each line), ready to reply under."""
    lines = clean_text(markdown).strip("\n").split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines) + "\n\n"
