"""Posts rendered from Markdown: hostile input comes out harmless, ordinary writing comes out as
expected, and plain text for search and feeds leaves the markup behind."""

from __future__ import annotations

import re

import pytest

from forum.markdown import clean_title, plain_text, quote, render, summary
from tests.forum.discussion_support import tags

# Raw tags only: escaped text such as "&lt;img onerror=...&gt;" is words on the page, and the
# attributes of the tags that are left are checked one by one below.
SCRIPTY = re.compile(r"<(script|svg|iframe|img|object|embed|style|math)", re.I)


def hrefs(html: str) -> list[str]:
    return [attrs.get("href") or "" for tag, attrs in tags(html) if tag == "a"]


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "<div onmouseover='alert(1)'>hover</div>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"><circle r="10"/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    "<style>body{display:none}</style>",
    "[x]: javascript:alert(1)\n\n[click][x]",
    '<a href="javascript:alert(1)">link</a>',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_rendered_harmless(source: str) -> None:
    html = render(source)
    assert not SCRIPTY.search(html), html
    for tag, attrs in tags(html):
        assert tag in {"p", "a", "code", "pre", "blockquote", "br"}, tag
        assert not any(name.startswith("on") for name in attrs), attrs
        assert "style" not in attrs
    for href in hrefs(html):
        scheme = href.split(":", 1)[0].lower() if ":" in href.split("/", 1)[0] else ""
        assert scheme in {"", "http", "https", "mailto"}, href


def test_script_text_is_shown_as_text() -> None:
    assert render("<script>alert(1)</script>") == (
        '<p dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;</p>\n'
    )


def test_code_blocks_are_escaped() -> None:
    html = render("```\n<b onclick=x>bold?</b>\n```")
    assert html == "<pre><code>&lt;b onclick=x&gt;bold?&lt;/b&gt;\n</code></pre>\n"
    assert render("use `<i>` here") == '<p dir="auto">use <code>&lt;i&gt;</code> here</p>\n'


def test_links_keep_their_address_and_are_marked_as_user_content() -> None:
    html = render("[REVES](https://www.revesnetwork.eu) [mail](mailto:a@b.org) [here](/boards/x)")
    assert hrefs(html) == ["https://www.revesnetwork.eu", "mailto:a@b.org", "/boards/x"]
    assert all(a.get("rel") == "nofollow ugc noopener" for t, a in tags(html) if t == "a")


def test_images_become_links_and_load_nothing() -> None:
    html = render("![a map](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert hrefs(html) == ["https://tracker.example/pixel.png"]
    assert "Image: a map" in html


def test_a_ten_kilobyte_line_comes_through_whole() -> None:
    line = "a" * 10_240
    assert render(line) == f'<p dir="auto">{line}</p>\n'
    long_code = render("    " + "b" * 10_240)
    assert "b" * 10_240 in long_code


def test_control_characters_are_dropped_but_tab_and_newline_kept() -> None:
    html = render("a\x00b\x07c\x1b[31md\x7fe\x85f\u009bg\r\nnext\tline")
    assert html == '<p dir="auto">abc[31mde\nf\u009bg\nnext\tline</p>\n'.replace("\u009b", "")
    assert "\x00" not in plain_text("a\x00b") and plain_text("a\x00b") == "ab"


def test_a_right_to_left_override_stays_inside_its_block() -> None:
    html = render("safe \u202etxt.exe\n\nnext paragraph")
    # Kept as text, inside a block of its own that decides its own direction: an override
    # ends with its paragraph, so it cannot reorder what follows the post.
    assert html == '<p dir="auto">safe \u202etxt.exe</p>\n<p dir="auto">next paragraph</p>\n'
    assert "\u202e" not in clean_title("\u202eevil title")
    assert "\u202e" not in plain_text("safe \u202etxt.exe")


def test_right_to_left_text_gets_its_direction_from_its_content() -> None:
    html = render("# שלום\n\nمرحبا بكم في المنتدى\n\n- عنصر\n\n> ציטוט")
    assert '<h3 dir="auto">שלום</h3>' in html
    assert '<p dir="auto">مرحبا بكم في المنتدى</p>' in html
    assert '<li dir="auto">عنصر</li>' in html
    assert '<blockquote dir="auto">' in html


def test_headings_sit_below_the_pages_own() -> None:
    html = render("# One\n\n## Two\n\n###### Six")
    assert [tag for tag, _ in tags(html)] == ["h3", "h4", "h6"]


def test_quotes_tables_and_lists_render() -> None:
    html = render("> quoted\n> more\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n1. x\n2. ~~y~~")
    assert '<blockquote dir="auto">\n<p dir="auto">quoted\nmore</p>\n</blockquote>' in html
    assert '<td style="text-align:right" dir="auto">1</td>' in html
    assert "<ol>" in html and "<s>y</s>" in html


def test_quote_prefixes_every_line() -> None:
    assert quote("first\r\n\nsecond\n") == "> first\n>\n> second\n\n"
    assert render(quote("a <b>")).startswith('<blockquote dir="auto">\n<p dir="auto">a &lt;b&gt;')


def test_plain_text_for_search_and_summaries() -> None:
    source = (
        "# Title\n\n> someone else's words\n\nSome *emphasis* and `code` and "
        "[a link](https://x.example) and ![a picture](https://x.example/p.png).\n\n"
        "```\nfenced\n```\n\n<script>alert(1)</script>"
    )
    assert plain_text(source) == (
        "Title Some emphasis and code and a link and a picture. fenced\n <script>alert(1)</script>"
    ).replace("\n ", " ")
    assert summary("word " * 100, limit=20) == "word word word word…"
    assert summary("short") == "short"


def test_clean_title_is_one_line() -> None:
    assert clean_title("  Hello\n\tworld\x00 \u2066again\u2069 ") == "Hello world again"
