from django.urls import path

from apps.progress import api

urlpatterns = [
    path("me/enrollments/<slug:roadmap>/", api.EnrollmentView.as_view(), name="me-enrollment"),
    path("me/plan/<slug:roadmap>/", api.PlanView.as_view(), name="me-plan"),
    path("me/plan/<slug:roadmap>/replan/", api.ReplanView.as_view(), name="me-replan"),
    path("me/plan/<slug:roadmap>/pause/", api.PauseView.as_view(), name="me-pause"),
    path("me/progress/<slug:roadmap>/", api.ProgressView.as_view(), name="me-progress"),
    path(
        "me/progress/<slug:roadmap>/topics/<slug:topic>/",
        api.TopicProgressView.as_view(),
        name="me-topic-progress",
    ),
    path(
        "roadmaps/<slug:roadmap>/topics/<slug:topic>/effort/",
        api.TopicEffortView.as_view(),
        name="topic-effort",
    ),
    path("me/ticks/<int:resource_id>/", api.TickView.as_view(), name="me-tick"),
    path("me/checkins/<slug:roadmap>/", api.CheckInListView.as_view(), name="me-checkins"),
    path("me/checkins/<slug:roadmap>/<int:week>/", api.CheckInView.as_view(), name="me-checkin"),
    path("me/export.csv", api.ProgressCSVView.as_view(), name="me-export-csv"),
]
