from django.urls import path

from apps.community import api

urlpatterns = [
    path("submissions/", api.SubmissionListCreateView.as_view(), name="submissions"),
    path("resources/<int:pk>/vote/", api.VoteView.as_view(), name="resource-vote"),
    path("resources/<int:pk>/reports/", api.ReportCreateView.as_view(), name="resource-reports"),
]
