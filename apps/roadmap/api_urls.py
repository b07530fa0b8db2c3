from django.urls import path

from apps.roadmap import api

urlpatterns = [
    path("roadmaps/<slug:slug>/export.md", api.roadmap_export_md, name="roadmap-export-md"),
]
