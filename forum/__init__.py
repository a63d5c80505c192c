"""The REVES web forum: the ASGI app, its pages and its JSON API."""

from forum.app import ForumConfig, create_app
from forum.boards import create_default_boards, role_problem, slug_problem
from forum.markdown import plain_text, render
from forum.security import hash_password, password_problem
from forum.usernames import display_name_problem, normalise_username, username_problem

__all__ = [
    "ForumConfig",
    "create_app",
    "create_default_boards",
    "display_name_problem",
    "hash_password",
    "normalise_username",
    "password_problem",
    "plain_text",
    "render",
    "role_problem",
    "slug_problem",
    "username_problem",
]
