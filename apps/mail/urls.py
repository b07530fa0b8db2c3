from django.urls import path

from apps.mail import views

app_name = "mail"

urlpatterns = [
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mail/replan/<str:token>/", views.replan, name="replan"),
]
