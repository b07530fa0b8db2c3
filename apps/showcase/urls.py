from django.urls import path

from apps.showcase import views

app_name = "showcase"

urlpatterns = [
    path(
        "roadmaps/<slug:slug>/projects/<slug:project>/showcase/",
        views.showcase,
        name="showcase",
    ),
    path(
        "roadmaps/<slug:slug>/projects/<slug:project>/review-queue/",
        views.review_queue,
        name="review-queue",
    ),
    path("solutions/<int:pk>/reviews/", views.solution_reviews, name="reviews"),
    path("solutions/<int:pk>/like/", views.like, name="like"),
    path("solutions/<int:pk>/review-request/", views.review_request, name="review-request"),
    path("solutions/<int:pk>/flag/", views.solution_flag, name="solution-flag"),
    path("reviews/<int:pk>/reply/", views.review_reply, name="review-reply"),
    path("reviews/<int:pk>/flag/", views.review_flag, name="review-flag"),
]
