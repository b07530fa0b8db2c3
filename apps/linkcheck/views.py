"""Check now, from the moderation queue's "broken links" tab (applying the new URL is a
moderation action: apps.moderation.views). Thin: the role check, one service call, back.

A resource without a link is refused by the service (400), answered by
roadmap_site.error_views.ApplicationErrorMiddleware."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.roles import moderator_required
from apps.linkcheck import selectors, services


def _back_to_tab() -> HttpResponse:
    return redirect(reverse("moderation:queue") + "?tab=broken")


@moderator_required
@require_POST
def resource_check(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_to_check(pk=pk)
    outcome = services.link_check_request(resource=resource)
    if outcome is services.CheckNow.QUEUED:
        messages.success(request, f"Checking “{resource.title}” now; reload in a moment.")
    elif outcome is services.CheckNow.WAITING:
        messages.warning(
            request,
            f"“{resource.title}” will be checked when the task queue is back "
            "(it is not answering now; the request is kept).",
        )
    else:
        messages.success(request, f"“{resource.title}” will be checked in the next sweep.")
    return _back_to_tab()
