"""Content routes under /api/v1/. A resource (`resources/<id>/`) and a topic
(`roadmaps/<slug>/topics/<topic>/`) are routed in roadmap_site/api_urls.py: moderators also
PATCH them, and this app imports no other."""

from django.urls import path

from apps.roadmap import api

urlpatterns = [
    path("roadmaps/", api.RoadmapListView.as_view(), name="roadmap-list"),
    path("roadmaps/<slug:slug>/", api.RoadmapTreeView.as_view(), name="roadmap-tree"),
    path(
        "roadmaps/<slug:slug>/export.md", api.RoadmapExportView.as_view(), name="roadmap-export-md"
    ),
    path("resources/", api.ResourceListView.as_view(), name="resource-list"),
]
