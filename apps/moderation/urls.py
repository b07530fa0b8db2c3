from django.urls import path

from apps.moderation import views

app_name = "moderation"

urlpatterns = [
    path("moderation/", views.queue, name="queue"),
    path(
        "moderation/submissions/<int:pk>/approve/",
        views.submission_approve,
        name="submission-approve",
    ),
    path(
        "moderation/submissions/<int:pk>/reject/", views.submission_reject, name="submission-reject"
    ),
    path("moderation/submissions/bulk/", views.submissions_bulk, name="submissions-bulk"),
    path("moderation/resources/<int:pk>/", views.resource_edit, name="resource-edit"),
    path("moderation/resources/<int:pk>/retire/", views.resource_retire, name="resource-retire"),
    path("moderation/resources/<int:pk>/pick/", views.resource_pick, name="resource-pick"),
    path("moderation/resources/<int:pk>/merge/", views.resource_merge, name="resource-merge"),
    path(
        "moderation/resources/<int:pk>/merge/candidates/",
        views.resource_merge_candidates,
        name="resource-merge-candidates",
    ),
    path(
        "moderation/resources/<int:pk>/apply-redirect/",
        views.resource_apply_redirect,
        name="resource-apply-redirect",
    ),
    path("moderation/reports/<int:pk>/resolve/", views.report_resolve, name="report-resolve"),
    path("moderation/flags/<int:pk>/", views.flag_decide, name="flag-decide"),
    path(
        "moderation/solutions/<int:pk>/restore/",
        views.solution_restore,
        name="solution-restore",
    ),
    path(
        "moderation/roadmaps/<slug:slug>/topics/<slug:topic>/",
        views.topic_edit,
        name="topic-edit",
    ),
    path(
        "moderation/roadmaps/<slug:slug>/topics/<slug:topic>/revisions/",
        views.topic_revisions,
        name="topic-revisions",
    ),
    path(
        "moderation/roadmaps/<slug:slug>/topics/<slug:topic>/revisions/<int:rev>/revert/",
        views.topic_revert,
        name="topic-revert",
    ),
    path("moderation/effort/", views.effort_far, name="effort-far"),
    path(
        "moderation/roadmaps/<slug:slug>/topics/<slug:topic>/adopt-effort/",
        views.topic_adopt_effort,
        name="topic-adopt-effort",
    ),
    path("modlog/", views.modlog, name="modlog"),
]
