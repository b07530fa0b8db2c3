"""Probable duplicates (the same link at http/https or with/without www.) shown to the
moderator beside the submission, on the queue and on the approve page."""

from __future__ import annotations

import pytest

from tests.factories import approved, pending, resource
from tests.support.clients import page_client_for

pytestmark = pytest.mark.django_db


def test_the_queue_and_the_approve_page_show_probable_duplicates(
    moderator, submitter, outsider, roadmap, topic
) -> None:
    approved(roadmap, topic, url="https://www.blog.example/guide", title="Known guide")
    rejected = resource(
        roadmap, topic, status="rejected", url="http://blog.example/guide/", title="Old try"
    )
    fresh = pending(roadmap, topic, submitter, url="http://blog.example/guide", title="New one")
    alone = pending(roadmap, topic, outsider, url="https://alone.example/", title="Lonely")
    client = page_client_for(moderator)
    queue = client.get("/moderation/").content.decode()
    row = queue[queue.index("New one") :]
    row = row[: row.index("</tr>")]
    assert "Probable duplicate of" in row and "Known guide" in row
    assert rejected.title not in row  # `/guide/` is another page: only exact twins count
    lonely = queue[queue.index("Lonely") :]
    assert "Probable duplicate of" not in lonely[: lonely.index("</tr>")]
    page = client.get(f"/moderation/submissions/{fresh.pk}/approve/").content.decode()
    assert "Probable duplicate of" in page and "Known guide" in page
    alone_page = client.get(f"/moderation/submissions/{alone.pk}/approve/").content.decode()
    assert "Probable duplicate of" not in alone_page
