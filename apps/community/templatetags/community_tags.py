"""Vote controls that the topic page composes in, without the content app importing votes.

`{% my_votes_for resources as my_votes %}` once per page, then
`{% vote_control resource my_votes %}` per resource.
"""

from __future__ import annotations

from django import template

from apps.community import selectors
from apps.roadmap.credit import resource_credit as credit_of

register = template.Library()


@register.simple_tag(takes_context=True)
def my_votes_for(context: template.Context, resources) -> dict[int, int]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or getattr(request, "page_layer", None):
        return {}  # the signed-in topic page's shared shell: the layer fills each vote in
    return selectors.my_votes(user=user, resource_ids=[r.pk for r in resources])


@register.inclusion_tag("community/_vote.html", takes_context=True)
def vote_control(context: template.Context, resource, my_votes: dict[int, int]) -> dict:
    return {
        "resource": resource,
        "my_vote": my_votes.get(resource.pk),
        "request": context.get("request"),
    }


@register.inclusion_tag("community/_credit.html")
def resource_credit(resource) -> dict:
    """`{% resource_credit resource %}`: "Suggested by <name>" (linked to the contributor's
    page), "deleted user" or "a contributor" unlinked, nothing for the roadmap's own content.
    The page's queryset selects `submitted_by` with the resources."""
    return {"credit": credit_of(resource)}
