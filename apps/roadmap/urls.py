from django.urls import path

from apps.roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("", views.home, name="home"),
    path("roadmaps/<slug:slug>/", views.roadmap_detail, name="roadmap"),
    path("roadmaps/<slug:slug>/topics/<slug:topic>/", views.topic_detail, name="topic"),
]
