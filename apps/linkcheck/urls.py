from django.urls import path

from apps.linkcheck import views

app_name = "linkcheck"

urlpatterns = [
    path("moderation/resources/<int:pk>/check/", views.resource_check, name="resource-check"),
]
