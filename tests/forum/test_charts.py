"""Bar charts drawn on the server: well-formed SVG, escaped labels, rows for zero counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from forum.charts import Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_chart_is_well_formed_svg_with_a_title() -> None:
    svg = bar_chart("What is your gender?", [Bar("Woman", 3, 60.0), Bar("Man", 2, 40.0)])
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "What is your gender?"
    assert root.get("aria-labelledby") == title.get("id")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Woman", "3 (60%)", "Man", "2 (40%)"]
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0


def test_labels_and_titles_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & "quotes"'
    svg = bar_chart(hostile, [Bar(hostile, 1, 100.0)], chart_id='a"b')
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == hostile
    labels = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert labels[0].startswith('<script>alert("x")')


def test_zero_counts_keep_their_row_without_a_bar() -> None:
    svg = bar_chart("Nobody yet", [Bar("Yes", 0, 0.0), Bar("No", 0, 0.0)])
    root = ET.fromstring(svg)
    assert list(root.iter(f"{SVG}rect")) == []
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Yes", "0 (0%)", "No", "0 (0%)"]
    empty = ET.fromstring(bar_chart("Nothing", []))
    assert [t.text for t in empty.iter(f"{SVG}text")] == ["No answers yet"]


def test_long_labels_are_shortened_but_counts_stay() -> None:
    svg = bar_chart("Long", [Bar("x" * 200, 7)])
    root = ET.fromstring(svg)
    label, value = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert len(label) < 60 and label.endswith("…")
    assert value == "7"
