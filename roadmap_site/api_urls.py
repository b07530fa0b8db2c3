"""/api/v1/: each app contributes its routes from its own api_urls; every path is routed once.

Two paths belong to two apps: the content API reads a resource and a topic, moderators edit
them. Each has one view (in apps/moderation/api.py: GET is the roadmap app's public view,
inherited unchanged; PATCH the moderators'), routed here, once, so that no app's URLconf
shadows another's and the order of the includes below decides nothing
(tests/test_routes.py checks it).
"""

from django.urls import include, path

from apps.moderation.api import ResourceView, TopicView
from roadmap_site.api_root import ApiRootView

app_name = "api"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("resources/<int:pk>/", ResourceView.as_view(), name="resource-detail"),
    path("roadmaps/<slug:slug>/topics/<slug:topic>/", TopicView.as_view(), name="topic-detail"),
    path("", include("apps.roadmap.api_urls")),
    path("", include("apps.moderation.api_urls")),
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.progress.api_urls")),
    path("", include("apps.community.api_urls")),
    path("", include("apps.linkcheck.api_urls")),
    path("", include("apps.showcase.api_urls")),
    path("", include("apps.solutions.api_urls")),
    path("", include("apps.search.api_urls")),
]
