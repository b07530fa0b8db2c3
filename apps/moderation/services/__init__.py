"""Moderation writes, by sub-domain. Import each use case from its own module:

    submissions    approve, reject, decide in bulk
    resources      edit, retire, pick, merge, apply a permanent redirect
    topics         edit, revert to a revision
    reports        resolve
    roles          the moderators group; give and take the role
    notifications  the decision email and the daily digest (sent by tasks.py)
    audit          the one audited write every decision above goes through, and the log's
                   deletion hook

Each use case runs in one transaction and writes exactly one ModerationAction per thing it
decides, through `audit.audited_write`. Refusals are `roadmap_site.errors` (Invalid, Conflict):
nothing is written.
"""
