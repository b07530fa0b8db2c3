"""A topic's revisions page: a word-level diff marked with <ins>/<del> and words (not colour
alone), and the reason a revert was given shown on the revision the revert made."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.moderation.revision_diff import DiffPart, word_diff
from apps.moderation.services import topics

pytestmark = pytest.mark.django_db

PAGE = "/moderation/roadmaps/ml-engineer/topics/testing/revisions/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_word_diff_keeps_the_unchanged_words_and_marks_the_rest() -> None:
    parts = word_diff("Tests catch bugs early.", "Tests catch many bugs early.")
    assert parts == [
        DiffPart("same", "Tests catch "),
        DiffPart("ins", "many "),
        DiffPart("same", "bugs early."),
    ]
    parts = word_diff("Tests catch bugs. They document.", "Tests find bugs. They document.")
    assert [p for p in parts if p.kind != "same"] == [
        DiffPart("del", "catch "),
        DiffPart("ins", "find "),
    ]
    # Reading only the kept and inserted parts gives the new text, kept and deleted the old.
    assert "".join(p.text for p in parts if p.kind != "del") == "Tests find bugs. They document."
    assert "".join(p.text for p in parts if p.kind != "ins") == "Tests catch bugs. They document."
    assert word_diff(["one", "two"], ["one", "three"]) == [
        DiffPart("same", "one\n"),
        DiffPart("del", "two"),
        DiffPart("ins", "three"),
    ]
    assert word_diff(4, 6) == [DiffPart("del", "4"), DiffPart("ins", "6")]
    assert word_diff(None, "x") == [DiffPart("ins", "x")]


def test_the_page_shows_a_word_diff_with_ins_and_del_and_words(topic, moderator) -> None:
    topics.topic_edit(
        actor=moderator, topic=topic, body="Tests catch bugs. They also explain the code."
    )
    html = signed_in(moderator).get(PAGE).content.decode()
    newest = html.split("<h2>Revision ")[1]
    assert re.search(
        r"<del><span class=\"visually-hidden\">removed: </span>document\.</del>", newest
    )
    assert re.search(
        r"<ins><span class=\"visually-hidden\">added: </span>explain the code\.</ins>", newest
    )
    assert "Tests catch bugs. They also " in newest  # the unchanged words, as they were
    assert "<pre>" not in html  # no unwrapped blocks: the diff wraps inside the page


def test_a_revert_shows_its_reason_on_the_revision_it_made(topic, moderator) -> None:
    first = topic.history.first().history_id
    topics.topic_edit(actor=moderator, topic=topic, title="Testing, badly")
    reason = "The new title dropped what the topic is about; " + "back to the README's. " * 8
    topics.topic_revert(actor=moderator, topic=topic, revision_id=first, reason=reason)
    html = signed_in(moderator).get(PAGE).content.decode()
    newest = html.split("<h2>Revision ")[1]
    assert "revert to revision" in newest
    assert (
        f"<strong>Reason for the revert:</strong> {reason.strip()}".replace("'", "&#x27;") in newest
    )
    older = "".join(html.split("<h2>Revision ")[2:])
    assert "Reason for the revert" not in older
