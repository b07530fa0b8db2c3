"""The learner emails' links: one-click unsubscribe and the nudge's re-plan. Neither needs a
sign-in: the signed token in the address is the key (apps.mail.services)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.mail import services


@never_cache
@csrf_exempt  # RFC 8058: the mail client's one-click POST carries no token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for a confirmation (link scanners fetch GETs); POST unsubscribes at once."""
    if request.method == "POST":
        link = services.unsubscribe(token=token)
        return render(request, "mail/unsubscribed.html", {"link": link})
    link = services.unsubscribe_read(token=token)
    return render(request, "mail/unsubscribe.html", {"link": link, "token": token})


@never_cache
@require_http_methods(["GET", "POST"])
def replan(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the re-plan does, with one button; POST lays the plan out again."""
    enrollment = services.replan_enrollment(token=token)
    if request.method == "POST":
        enrollment = services.replan_confirm(token=token)
        if request.user.is_authenticated and request.user.pk == enrollment.user_id:
            return redirect("progress:dashboard", slug=enrollment.roadmap.slug)
        return render(request, "mail/replanned.html", {"enrollment": enrollment})
    return render(request, "mail/replan.html", {"enrollment": enrollment, "token": token})
