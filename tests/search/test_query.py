"""The search box's text, parsed (apps/search/query.py): no database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from apps.search.query import KINDS, parse
from roadmap_site.limits import SEARCH_QUERY


def test_words_phrases_and_exclusions_are_told_apart() -> None:
    query = parse('Feature  "Model Serving" -pandas kubernetes')
    assert query.words == ("feature", "kubernetes")
    assert query.phrases == ("model serving",)
    assert query.excluded == ("pandas",)
    assert query.text == 'Feature "Model Serving" -pandas kubernetes'
    assert query.highlight_terms == ("feature", "kubernetes", "model", "serving")


def test_punctuation_splits_words_and_a_word_is_kept_once() -> None:
    query = parse("scikit-learn, C++ and scikit")
    assert query.words == ("scikit", "learn", "c", "and")


def test_a_one_word_quote_is_a_word_and_an_unclosed_quote_runs_to_the_end() -> None:
    assert parse('"docker"').words == ("docker",)
    query = parse('mlops "feature store')
    assert query.words == ("mlops",)
    assert query.phrases == ("feature store",)


def test_an_excluded_word_is_not_also_a_wanted_one() -> None:
    query = parse("python -python pandas")
    assert query.words == ("pandas",)
    assert query.excluded == ("python",)


def test_or_joins_alternatives_rather_than_being_searched_for() -> None:
    query = parse("spark or flink")
    assert query.words == ("spark", "flink") and query.alternatives
    assert not parse("or flink").alternatives and not parse("spark flink").alternatives


def test_blank_text_lone_marks_and_exclusions_alone_are_empty() -> None:
    for text in ("", "   ", "-", '"', '""', "- -", "-pandas", "!!!"):
        assert parse(text).is_empty, text


def test_the_text_is_cut_to_the_limit_and_control_characters_dropped() -> None:
    query = parse("a\x00b\tc\u200bd" + "x" * 500)
    assert len(query.text) <= SEARCH_QUERY.max
    assert "\x00" not in query.text and "\t" not in query.text
    assert query.words[:3] == ("a", "b", "c")


def test_the_kinds_are_one_list() -> None:
    assert KINDS == ("topic", "resource", "project", "solution", "faq", "phase")


@given(st.text(max_size=400))
def test_any_text_parses_within_bounds(text: str) -> None:
    query = parse(text)
    assert len(query.text) <= SEARCH_QUERY.max
    for part in (*query.words, *query.excluded, *" ".join(query.phrases).split()):
        # Only letter-and-digit runs reach the engines (to_tsquery, LIKE).
        assert part and all(char.isalnum() for char in part), part
        assert part == part.lower()
    assert not set(query.words) & set(query.excluded)
    assert query.is_empty == (not query.words and not query.phrases)
    assert parse(query.text) == query  # parsing the cleaned text again changes nothing
