"""allauth's account adapter, where the site differs from allauth's defaults."""

from __future__ import annotations

from apps.accounts.next_page import NextAfterSignupMixin


class AccountAdapter(NextAfterSignupMixin):
    """Keeps a signup's `next` through confirmation to the first sign-in."""
