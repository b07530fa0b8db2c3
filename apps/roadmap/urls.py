from django.urls import path

from apps.roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("", views.home, name="home"),
    path("theme/", views.theme_set, name="theme"),
    path("roadmaps/<slug:slug>/", views.roadmap_detail, name="roadmap"),
    path("roadmaps/<slug:slug>/topics/<slug:topic>/", views.topic_detail, name="topic"),
    path("roadmaps/<slug:slug>/sections/<int:number>/", views.section_detail, name="section"),
    path("roadmaps/<slug:slug>/phases/<slug:phase>/", views.phase_detail, name="phase"),
    path("roadmaps/<slug:slug>/projects/", views.projects, name="projects"),
    path("roadmaps/<slug:slug>/faq/", views.faq, name="faq"),
    path("roadmaps/<slug:slug>/outcomes/", views.outcomes, name="outcomes"),
]
