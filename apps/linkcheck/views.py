"""Link health actions on the moderation queue's "broken links" tab: check now, apply the new
URL. Thin: the moderation app's role check, one service call, back to the tab."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.linkcheck import services
from apps.moderation.services import ModerationConflict
from apps.moderation.views import moderator_required
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


@moderator_required
@require_POST
def resource_apply_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    try:
        resource = services.resource_redirect_apply(actor=request.user, resource=resource)
    except (ModerationConflict, ValidationError) as refusal:
        text = refusal.message if isinstance(refusal, ModerationConflict) else refusal.messages[0]
        messages.error(request, text)
        return _back_to_tab()
    messages.success(request, f"“{resource.title}” now links to {resource.url}.")
    return _back_to_tab()
