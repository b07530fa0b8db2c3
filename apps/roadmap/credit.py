"""Who a resource is credited to: one rule for the topic page's credit line, the contributor
page and the API's `submitted_by`.

- a README or enrichment resource credits no one (None);
- a community resource whose account was deleted keeps its row with `submitted_by` set to
  NULL (the foreign key's SET_NULL) and reads "deleted user";
- a contributor who opted out (`show_contributions` off) reads "a contributor", unlinked;
- anyone else is named as the profile page promises (display name, else username) and linked
  to their contributor page (`username`).
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.roadmap.models import Resource

# The content app imports no other app, so the name of a deleted account lives here and
# accounts.selectors.public_name reads it from here.
DELETED_USER_NAME = "deleted user"
ANONYMOUS_CONTRIBUTOR = "a contributor"


@dataclass(frozen=True)
class Credit:
    name: str
    username: str | None  # the contributor page's key; None when there is no page to link


def resource_credit(resource: Resource) -> Credit | None:
    if resource.origin != Resource.Origin.COMMUNITY:
        return None
    user = resource.submitted_by
    if user is None:
        return Credit(DELETED_USER_NAME, None)
    if not user.show_contributions:
        return Credit(ANONYMOUS_CONTRIBUTOR, None)
    return Credit(user.display_name or user.username, user.username)
