"""Moderation routes under /api/v1/. Each path here is moderation's alone; the two paths it
shares with the content API (a resource, a topic) are routed once, in roadmap_site/api_urls.py,
to the one view that answers both their GET and their PATCH (apps/moderation/api.py)."""

from django.urls import path

from apps.moderation import api

urlpatterns = [
    path("moderation/queue/", api.QueueView.as_view(), name="moderation-queue"),
    path(
        "submissions/<int:pk>/approve/",
        api.SubmissionApproveView.as_view(),
        name="submission-approve",
    ),
    path(
        "submissions/<int:pk>/reject/", api.SubmissionRejectView.as_view(), name="submission-reject"
    ),
    path("submissions/bulk/", api.SubmissionBulkView.as_view(), name="submissions-bulk"),
    path("resources/<int:pk>/merge/", api.ResourceMergeView.as_view(), name="resource-merge"),
    path(
        "resources/<int:pk>/apply-redirect/",
        api.ResourceApplyRedirectView.as_view(),
        name="resource-apply-redirect",
    ),
    path("reports/<int:pk>/resolve/", api.ReportResolveView.as_view(), name="report-resolve"),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/revisions/",
        api.TopicRevisionListView.as_view(),
        name="topic-revisions",
    ),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/revisions/<int:rev>/revert/",
        api.TopicRevertView.as_view(),
        name="topic-revert",
    ),
    path("moderation/flags/", api.FlagListView.as_view(), name="moderation-flags"),
    path("moderation/flags/<int:pk>/decide/", api.FlagDecideView.as_view(), name="flag-decide"),
    path(
        "moderation/solutions/<int:pk>/restore/",
        api.SolutionRestoreView.as_view(),
        name="solution-restore",
    ),
    path("modlog/", api.ModLogView.as_view(), name="modlog"),
]
