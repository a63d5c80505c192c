"""Atom 1.0 documents (RFC 4287): a feed and its entries, written as well-formed XML.

Text from posts goes in as element text, which ElementTree escapes; characters that XML 1.0
cannot hold at all (most control characters) are dropped first, since no escape exists for them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class AtomEntry:
    """One entry; `id` and `link` are absolute URLs, `summary` plain text."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str
    summary: str


@dataclass(frozen=True, slots=True)
class AtomFeed:
    """A feed: its own address (`self_url`, also its id) and the page it stands for."""

    title: str
    self_url: str
    page_url: str
    updated: datetime
    entries: tuple[AtomEntry, ...]
    subtitle: str = ""


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", value)


def rfc3339(moment: datetime) -> str:
    """A UTC timestamp as Atom wants it, e.g. `2026-11-22T09:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def summary_of(text: str, limit: int = 300) -> str:
    """The first `limit` characters or so of `text` on one line, cut at a word, with an ellipsis
    when something was left out."""
    flat = _SPACE.sub(" ", xml_text(text)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" .,;:") + "…"


def render_atom(feed: AtomFeed) -> bytes:
    """The feed as a UTF-8 XML document."""
    root = ET.Element("feed", xmlns=ATOM_NS)
    _text(root, "id", feed.self_url)
    _text(root, "title", feed.title)
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle)
    _text(root, "updated", rfc3339(feed.updated))
    ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    for item in feed.entries:
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "published", rfc3339(item.published))
        _text(entry, "updated", rfc3339(item.updated))
        _text(ET.SubElement(entry, "author"), "name", item.author)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=item.link)
        _text(entry, "summary", item.summary).set("type", "text")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(value)
    return element
