"""Slugs: the short names in addresses and commands made from what people call things."""

from __future__ import annotations

__all__ = ["slugify"]

SLUG = "abcdefghijklmnopqrstuvwxyz0123456789-"


def slugify(name: str) -> str:
    cleaned = "".join(c if c in SLUG else "-" for c in name.lower().strip())
    return "-".join(p for p in cleaned.split("-") if p)[:80] or "group"
