"""Moderation routes under /api/v1/. Listed before the roadmap app's routes: two of these
paths also answer the roadmap app's public GET (see apps/moderation/api.py)."""

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
    path("resources/<int:pk>/", api.ResourceModerateView.as_view(), name="resource-detail"),
    path("resources/<int:pk>/merge/", api.ResourceMergeView.as_view(), name="resource-merge"),
    path(
        "resources/<int:pk>/apply-redirect/",
        api.ResourceApplyRedirectView.as_view(),
        name="resource-apply-redirect",
    ),
    path("reports/<int:pk>/resolve/", api.ReportResolveView.as_view(), name="report-resolve"),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/",
        api.TopicModerateView.as_view(),
        name="topic-detail",
    ),
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
    path("modlog/", api.ModLogView.as_view(), name="modlog"),
]
