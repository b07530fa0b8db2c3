"""Link health routes under /api/v1/ (moderators)."""

from django.urls import path

from apps.linkcheck import api

urlpatterns = [
    path("resources/<int:pk>/check/", api.ResourceCheckView.as_view(), name="resource-check"),
    path("resources/<int:pk>/checks/", api.ResourceChecksView.as_view(), name="resource-checks"),
]
