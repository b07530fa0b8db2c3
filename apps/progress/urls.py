from django.urls import path

from apps.progress import views

app_name = "progress"

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
]
