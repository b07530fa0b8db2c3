from django.urls import path

from apps.accounts import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("me/export/", api.ExportView.as_view(), name="me-export"),
]
