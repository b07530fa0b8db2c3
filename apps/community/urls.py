from django.urls import path

from apps.community import views

app_name = "community"

urlpatterns = [
    path("roadmaps/<slug:slug>/submit/", views.submit, name="submit"),
    path("contributors/<str:username>/", views.contributor, name="contributor"),
    path("my/submissions/", views.my_submissions, name="my-submissions"),
    path("resources/<int:pk>/vote/", views.vote, name="vote"),
    path("resources/<int:pk>/report/", views.report, name="report"),
]
