from django.urls import path

from apps.roadmap import api

urlpatterns = [
    path("roadmaps/", api.RoadmapListView.as_view(), name="roadmap-list"),
    path("roadmaps/<slug:slug>/", api.RoadmapTreeView.as_view(), name="roadmap-tree"),
    path(
        "roadmaps/<slug:slug>/export.md", api.RoadmapExportView.as_view(), name="roadmap-export-md"
    ),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/",
        api.TopicDetailView.as_view(),
        name="topic-detail",
    ),
    path("resources/", api.ResourceListView.as_view(), name="resource-list"),
    path("resources/<int:pk>/", api.ResourceDetailView.as_view(), name="resource-detail"),
]
