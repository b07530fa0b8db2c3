"""Arbitrary text never breaks the showcase's input handling: a flag's reason and note, the
filters' query and a review over the API are accepted or refused with a message, never a 500."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.showcase.forms import FilterForm
from apps.showcase.services import _flag_input
from roadmap_site.errors import Invalid
from roadmap_site.limits import FLAG_NOTE
from tests.support.clients import client_for


@given(reason=st.text(max_size=20), note=st.text(max_size=FLAG_NOTE.max + 5))
def test_a_flags_input_is_kept_or_refused_by_field(reason: str, note: str) -> None:
    try:
        kept = _flag_input(reason, note)
    except Invalid as refused:
        assert set(refused.fields) <= {"reason", "note"} and refused.fields
    else:
        assert len(kept) <= FLAG_NOTE.max
        assert reason != "other" or kept


@given(st.lists(st.text(max_size=30), max_size=5))
def test_the_filters_keep_only_known_names(values: list[str]) -> None:
    query = QueryDict(mutable=True)
    query.setlist("only", values)
    assert set(FilterForm(query).chosen()) <= {"tests", "demo"}


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(max_size=300))
def test_any_review_text_is_a_201_or_a_400(solution, peer, body: str) -> None:
    response = client_for(peer).post(
        f"/api/v1/solutions/{solution.pk}/reviews/", {"body": body}, format="json"
    )
    assert response.status_code in {201, 400, 409}, response.content
