from django.urls import path

from apps.solutions import api

urlpatterns = [
    path("solutions/", api.SolutionListCreateView.as_view(), name="solutions"),
    path("solutions/<int:pk>/", api.SolutionDetailView.as_view(), name="solution-detail"),
    path(
        "solutions/<int:pk>/withdraw/", api.SolutionWithdrawView.as_view(), name="solution-withdraw"
    ),
    path(
        "solutions/<int:pk>/requirements/<slug:key>/",
        api.RequirementLinkView.as_view(),
        name="solution-requirement",
    ),
]
