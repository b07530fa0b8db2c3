"""What link health tells the rest of the site. Link health never imports moderation; the
moderation app listens here (apps/moderation/receivers.py)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that records a check, once per change of a resource's access
# (never for a check that finds what the previous one found): kwargs `resource` (the approved
# Resource, its `access` already the new value), `previous` (the old access), `detail` (what
# the checker saw, e.g. "paywalled: redirected to https://.../pricing") and `seen_at`.
link_access_changed = Signal()
