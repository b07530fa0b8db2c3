from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("email/", views.email_preferences, name="email_preferences"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("data/", views.data, name="data"),
    path("data/export.json", views.export, name="export"),
    path("delete/", views.delete_account, name="delete"),
]
