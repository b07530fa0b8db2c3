from django.urls import path

from apps.progress import views

app_name = "progress"

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("roadmaps/<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("roadmaps/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("roadmaps/<slug:slug>/replan/", views.replan, name="replan"),
    path("roadmaps/<slug:slug>/pause/", views.pause, name="pause"),
    path("roadmaps/<slug:slug>/plan-at-my-pace/", views.plan_at_pace, name="plan-at-pace"),
    path("roadmaps/<slug:slug>/check-in/", views.check_in, name="check-in"),
    path(
        "roadmaps/<slug:slug>/calendar/regenerate/",
        views.calendar_regenerate,
        name="calendar-regenerate",
    ),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/status/",
        views.topic_status,
        name="topic-status",
    ),
    path("roadmaps/<slug:slug>/topics/<slug:topic>/note/", views.topic_note, name="topic-note"),
    path("roadmaps/<slug:slug>/topics/<slug:topic>/time/", views.topic_time, name="topic-time"),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/changes/dismiss/",
        views.topic_changes_dismiss,
        name="topic-changes-dismiss",
    ),
    path("roadmaps/<slug:slug>/resources/<int:resource_id>/tick/", views.tick, name="tick"),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/panel/",
        views.topic_map_panel,
        name="topic-panel",
    ),
    path(
        "roadmaps/<slug:slug>/topics/<slug:topic>/done-next/",
        views.topic_done_next,
        name="topic-done-next",
    ),
]
