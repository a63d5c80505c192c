"""The REVES web forum: the ASGI app, its pages and its JSON API."""

from forum.app import ForumConfig, create_app

__all__ = ["ForumConfig", "create_app"]
