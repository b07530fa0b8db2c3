"""The OpenAPI schema lists every status code the accounts endpoints answer."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator


def test_schema_names_every_status_code_and_the_token_scheme():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    token = paths["/api/v1/auth/token/"]
    assert set(token["post"]["responses"]) == {"201", "400", "401", "403", "409", "429"}
    assert set(token["delete"]["responses"]) == {"204", "401", "403"}  # 403: CSRF, by session
    assert set(paths["/api/v1/me/export/"]["get"]["responses"]) == {"200", "401"}
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
