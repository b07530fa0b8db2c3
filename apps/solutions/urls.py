from django.urls import path

from apps.solutions import views

app_name = "solutions"

urlpatterns = [
    path(
        "roadmaps/<slug:slug>/projects/<slug:project>/",
        views.project_detail,
        name="project",
    ),
    path(
        "roadmaps/<slug:slug>/projects/<slug:project>/submit/",
        views.submit,
        name="submit",
    ),
    path("solutions/<int:pk>/", views.detail, name="detail"),
    path("solutions/<int:pk>/edit/", views.edit, name="edit"),
    path("solutions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "solutions/<int:pk>/requirements/<slug:key>/",
        views.requirement_link,
        name="requirement",
    ),
]
