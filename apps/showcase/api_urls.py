from django.urls import path

from apps.showcase import api

urlpatterns = [
    path(
        "roadmaps/<slug:slug>/projects/<slug:project>/showcase/",
        api.ShowcaseView.as_view(),
        name="project-showcase",
    ),
    path(
        "roadmaps/<slug:slug>/projects/<slug:project>/review-queue/",
        api.ReviewQueueView.as_view(),
        name="project-review-queue",
    ),
    path("solutions/<int:pk>/like/", api.LikeView.as_view(), name="solution-like"),
    path(
        "solutions/<int:pk>/reviews/", api.ReviewListCreateView.as_view(), name="solution-reviews"
    ),
    path(
        "solutions/<int:pk>/review-request/",
        api.ReviewRequestView.as_view(),
        name="solution-review-request",
    ),
    path("solutions/<int:pk>/flags/", api.SolutionFlagView.as_view(), name="solution-flags"),
    path("reviews/<int:pk>/reply/", api.ReplyView.as_view(), name="review-reply"),
    path("reviews/<int:pk>/flags/", api.ReviewFlagView.as_view(), name="review-flags"),
]
