"""The pages' Jinja environment, made in one place with the filters every template may use."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from flows.web_addresses import web_link

TEMPLATES = Path(__file__).parent / "templates"


def safe_url(address: str | None) -> str | None:
    """An address from data as an href: http(s) only, None when it must not be a link."""
    return web_link(address)


def page_templates() -> Jinja2Templates:
    """The templates of `forum/templates`, with `safe_url` for every link that comes from data
    (`{% if x | safe_url %}<a href="{{ x | safe_url }}">`)."""
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.filters["safe_url"] = safe_url
    return templates
