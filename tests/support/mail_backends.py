"""Email backends for tests: one whose server refuses everything (a send that fails)."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """Like an SMTP server that is down: every send raises."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server refused the connection (test)")
