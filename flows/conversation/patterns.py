"""Regular expressions from flow files (`regex()` in expressions, a text step's `pattern`).

They are matched by RE2 (the `google-re2` package), whose time is linear in the answer: Python's
`re` backtracks, and `^(a+)+$` against thirty characters would hold the event loop, and so
every chat and the web, for minutes. Without RE2 installed, patterns are refused, not matched
by `re`: a flow using one fails to load, and `regex()` in a stored flow is false.
"""

from __future__ import annotations

import functools
from typing import Any

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 is a dependency; see the docstring
    re2 = None

MAX_PATTERN_LENGTH = 1000


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern to stderr
    options.max_mem = 8 << 20
    return options


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The compiled `pattern`; raises `PatternError` for one RE2 cannot run (backreferences,
    lookaround), one too long, or any pattern when RE2 is not installed."""
    if re2 is None:
        raise PatternError("regular expressions need the google-re2 package, not installed")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(text) from None


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text`, as XForms' regex() asks."""
    return compile_pattern(pattern).search(text) is not None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether `pattern` matches the whole of `text`."""
    return compile_pattern(pattern).fullmatch(text) is not None
