from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.roadmap import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "roadmap/home.html", {"roadmaps": selectors.roadmap_list()})


def roadmap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = selectors.roadmap_tree(slug=slug)
    return render(request, "roadmap/roadmap.html", {"roadmap": roadmap})


def topic_detail(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    roadmap = selectors.roadmap_get(slug=slug)
    topic_obj = selectors.topic_get(roadmap=roadmap, slug=topic)
    resources = selectors.topic_resources(topic=topic_obj)
    return render(
        request,
        "roadmap/topic.html",
        {"roadmap": roadmap, "topic": topic_obj, "resources": resources},
    )
