"""The matched words of a hit, cut out for <mark> (apps/search/highlight.py) and rendered
escaped (templates/search/_marked.html)."""

from __future__ import annotations

import html
import itertools

from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.search.highlight import parts, terms_of
from apps.search.query import parse


def marked(text: str, query: str) -> list[str]:
    return [piece for piece, matched in parts(text, terms_of(parse(query))) if matched]


def test_a_word_marks_the_words_it_starts_whatever_their_case() -> None:
    assert marked("Training a model: train, TRAINS, retrain", "train") == [
        "Training",
        "train",
        "TRAINS",
    ]


def test_every_word_of_the_search_is_marked_and_excluded_words_are_not() -> None:
    assert marked("Docker images for model serving, a video", "docker serving -video") == [
        "Docker",
        "serving",
    ]


def test_a_phrase_is_marked_whole_across_spaces_and_punctuation() -> None:
    text = "A feature store, or a feature-store; features   stored"
    expected = ["feature store", "feature-store", "features   stored"]
    assert marked(text, '"feature store"') == expected


def test_a_phrase_wins_over_its_own_words() -> None:
    assert parts("the feature store", ("feature", "feature store")) == [
        ("the ", False),
        ("feature store", True),
    ]


def test_no_terms_no_marks_and_no_text_no_parts() -> None:
    assert parts("anything at all", ()) == [("anything at all", False)]
    assert parts("", ("word",)) == []
    assert marked("c++ and c#", "+++") == []  # no word in the search: nothing to mark


def test_the_template_escapes_each_part_and_marks_the_matched() -> None:
    hostile = '<img src=x onerror=alert(1)> training & "more"'
    out = render_to_string("search/_marked.html", {"parts": parts(hostile, ("train",))})
    assert out == (
        "&lt;img src=x onerror=alert(1)&gt; <mark>training</mark> &amp; &quot;more&quot;"
    )


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), query=st.text(max_size=60))
def test_joined_the_parts_are_the_text_and_the_output_carries_no_tag_from_it(
    text: str, query: str
) -> None:
    cut = parts(text, terms_of(parse(query)))
    assert "".join(piece for piece, _ in cut) == text
    assert all(piece for piece, _ in cut)  # no empty piece
    out = render_to_string("search/_marked.html", {"parts": cut})
    plain = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in plain and ">" not in plain
    assert html.unescape(plain) == text


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=200),
    terms=st.lists(st.text(min_size=1, max_size=20), max_size=5),
)
def test_any_terms_at_all_keep_the_text_whole(text: str, terms: list[str]) -> None:
    cut = parts(text, terms)
    assert "".join(piece for piece, _ in cut) == text
    # marked pieces never touch each other: one <mark> per match
    assert all(not (a[1] and b[1]) for a, b in itertools.pairwise(cut))
