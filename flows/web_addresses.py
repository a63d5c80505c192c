"""Web addresses from data (a directory's services, a meeting's link): only http and https,
or an address written without a scheme (`www.example.org`, read as https), may become a link.

The scheme is read the way browsers read an href: spaces and control characters at the ends
are dropped, and tabs and newlines anywhere, so ` java\\tscript:` is `javascript:`.
"""

from __future__ import annotations

import re

__all__ = ["web_address_problem", "web_link"]

WEB_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_ENDS = "".join(map(chr, range(0x21)))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _scheme(address: str) -> str | None:
    """The scheme a browser would see in `address`, lower case, or None when it has none."""
    cleaned = re.sub(r"[\t\n\r]", "", address.strip(_ENDS))
    found = _SCHEME.match(cleaned)
    return found.group(1).lower() if found else None


def web_address_problem(address: str) -> str | None:
    """Why `address` will not do as a web address, or None when it will."""
    if _CONTROL.search(address.strip(" ")):
        return f"{address!r} has control characters in it; give a plain http:// or https:// address"
    scheme = _scheme(address)
    if scheme is not None and scheme not in WEB_SCHEMES:
        return f"{address!r} is not a web address; give it with http:// or https://"
    return None


def web_link(address: str | None) -> str | None:
    """What an href may say for `address`: itself when it is http(s), `https://` before it when
    it has no scheme, None when it must not be a link at all."""
    if not address or web_address_problem(address) is not None:
        return None
    address = address.strip()
    if _scheme(address) is not None:
        return address
    return "https:" + address if address.startswith("//") else "https://" + address
