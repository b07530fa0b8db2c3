"""Check now, from the moderation queue's "broken links" tab (applying the new URL is a
moderation action: apps.moderation.views). Thin: the role check, one service call, back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.roles import moderator_required
from apps.linkcheck import services
from apps.roadmap.models import Resource


def _back_to_tab() -> HttpResponse:
    return redirect(reverse("moderation:queue") + "?tab=broken")


@moderator_required
@require_POST
def resource_check(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.only("id", "url", "title"), pk=pk)
    try:
        queued = services.link_check_request(resource=resource)
    except ValidationError:
        messages.error(request, f"“{resource.title}” has no link to check.")
        return _back_to_tab()
    if queued:
        messages.success(request, f"Checking “{resource.title}” now; reload in a moment.")
    else:
        messages.success(request, f"“{resource.title}” will be checked in the next sweep.")
    return _back_to_tab()
