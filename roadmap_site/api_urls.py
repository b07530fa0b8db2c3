"""/api/v1/: each app contributes its routes from its own api module."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    # First: it answers PATCH on two of the roadmap app's public GET paths (see its api.py).
    path("", include("apps.moderation.api_urls")),
    path("", include("apps.roadmap.api_urls")),
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.progress.api_urls")),
    path("", include("apps.community.api_urls")),
    path("", include("apps.linkcheck.api_urls")),
]
