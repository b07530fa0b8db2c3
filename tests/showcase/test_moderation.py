"""Moderators act on flags: hide and restore a solution, remove a review, dismiss a flag;
each act and each flag's outcome is a row of the public log."""

from __future__ import annotations

import pytest

from apps.moderation.models import ModerationAction
from apps.moderation.services import showcase as moderation
from apps.showcase import services
from apps.showcase.models import Flag
from apps.solutions.models import Solution
from roadmap_site.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db


def test_hiding_a_solution_closes_its_flags_and_logs_both(solution, fan, peer, moderator) -> None:
    spam = services.flag_create(user=fan, solution=solution, reason="spam")
    copied = services.flag_create(user=peer, solution=solution, reason="plagiarism")
    moderation.solution_hide(actor=moderator, solution=solution, reason="Copied from a course.")
    solution.refresh_from_db()
    assert solution.visibility == Solution.Visibility.HIDDEN_MODERATION
    assert Solution.objects.filter(pk=solution.pk).exists()  # hidden, never deleted
    for flag in (spam, copied):
        flag.refresh_from_db()
        assert (flag.outcome, flag.resolved_by) == ("hidden", moderator)
    log = list(ModerationAction.objects.order_by("pk").values_list("action", "target_type"))
    assert log == [("hide-solution", "solution"), ("close-flag", "flag"), ("close-flag", "flag")]
    entry = ModerationAction.objects.get(action="hide-solution")
    assert entry.reason == "Copied from a course."
    assert entry.target_title == "Alan's solution of Fraud-detection API"


def test_hiding_needs_a_reason_and_writes_nothing_without_one(solution, moderator) -> None:
    with pytest.raises(Invalid):
        moderation.solution_hide(actor=moderator, solution=solution, reason=" ")
    solution.refresh_from_db()
    assert solution.is_visible and not ModerationAction.objects.exists()


def test_a_hidden_solution_is_restored_once(solution, moderator) -> None:
    moderation.solution_hide(actor=moderator, solution=solution, reason="Spam.")
    moderation.solution_restore(actor=moderator, solution=solution, reason="Fixed.")
    solution.refresh_from_db()
    assert solution.is_visible
    with pytest.raises(Conflict):
        moderation.solution_restore(actor=moderator, solution=solution)
    assert ModerationAction.objects.filter(action="restore-solution").count() == 1


def test_removing_a_review_keeps_the_row_and_closes_its_flags(
    solution, peer, fan, moderator
) -> None:
    review = services.review_create(user=peer, solution=solution, body="Rude.")
    flag = services.flag_create(user=fan, review=review, reason="spam")
    moderation.review_remove(actor=moderator, review=review, reason="Not a review.")
    review.refresh_from_db()
    flag.refresh_from_db()
    assert review.removed_at is not None and flag.outcome == "removed"
    assert set(ModerationAction.objects.values_list("action", flat=True)) == {
        "remove-review",
        "close-flag",
    }
    with pytest.raises(Conflict):
        moderation.review_remove(actor=moderator, review=review, reason="Again.")


def test_dismissing_a_flag_logs_the_moderators_note_not_the_flaggers(
    solution, fan, moderator
) -> None:
    flag = services.flag_create(user=fan, solution=solution, reason="other", note="private note")
    moderation.flag_dismiss(actor=moderator, flag=flag, note="The demo works.")
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.reason) == ("dismiss-flag", "Flag: other. The demo works.")
    assert "private note" not in entry.reason
    with pytest.raises(Conflict):
        moderation.flag_dismiss(actor=moderator, flag=flag)
    assert Flag.objects.get().outcome == "dismissed"
    solution.refresh_from_db()
    assert solution.is_visible


# -- the pages


def test_flags_appear_in_the_queue_and_a_moderator_hides_from_there(
    solution, fan, moderator
) -> None:
    from tests.support.clients import page_client_for

    flag = services.flag_create(user=fan, solution=solution, reason="insecure", note="Keys.")
    client = page_client_for(moderator)
    queue = client.get("/moderation/?tab=flags")
    assert queue.status_code == 200
    assert f"/moderation/flags/{flag.pk}/".encode() in queue.content
    refused = client.post(f"/moderation/flags/{flag.pk}/", {"action": "hide", "reason": ""})
    assert refused.status_code == 400
    solution.refresh_from_db()
    assert solution.is_visible
    done = client.post(f"/moderation/flags/{flag.pk}/", {"action": "hide", "reason": "Leaks keys."})
    assert done.status_code == 302
    solution.refresh_from_db()
    assert solution.visibility == Solution.Visibility.HIDDEN_MODERATION
    log = page_client_for(None).get("/modlog/").content.decode()
    assert "Leaks keys." in log and "Keys." not in log.replace("Leaks keys.", "")
    restored = client.post(f"/moderation/solutions/{solution.pk}/restore/", {"reason": "Fixed."})
    assert restored.status_code == 302
    solution.refresh_from_db()
    assert solution.is_visible


def test_a_learner_cannot_decide_flags(solution, fan) -> None:
    from tests.support.clients import page_client_for

    flag = services.flag_create(user=fan, solution=solution, reason="spam")
    response = page_client_for(fan).post(
        f"/moderation/flags/{flag.pk}/", {"action": "dismiss", "reason": ""}
    )
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.resolved_at is None


def test_the_public_log_links_showcase_targets_only_while_they_are_public(
    solution, fan, peer, moderator, client
) -> None:
    from apps.moderation.selectors import modlog_targets

    review = services.review_create(user=peer, solution=solution, body="Rude.")
    services.flag_create(user=fan, review=review, reason="spam")
    flag = services.flag_create(user=fan, solution=solution, reason="broken")
    moderation.flag_dismiss(actor=moderator, flag=flag, note="The demo works.")
    moderation.review_remove(actor=moderator, review=review, reason="Not a review.")
    entries = list(ModerationAction.objects.order_by("pk"))
    targets = modlog_targets(entries)
    by_action = {e.action: targets[e.pk] for e in entries}
    page = f"/solutions/{solution.pk}/"
    assert by_action["dismiss-flag"].url == page  # the flag's solution is public
    assert by_action["remove-review"].url is None and by_action["remove-review"].state == "removed"
    moderation.solution_hide(actor=moderator, solution=solution, reason="Spam.")
    entries = list(ModerationAction.objects.order_by("pk"))
    targets = modlog_targets(entries)
    hidden = [targets[e.pk] for e in entries if e.action in ("hide-solution", "dismiss-flag")]
    assert {(t.url, t.state) for t in hidden} == {(None, "not public")}
    moderation.solution_restore(actor=moderator, solution=solution, reason="Fixed.")
    html = client.get("/modlog/").content.decode()
    assert f'<a href="{page}">' in html  # linked again once restored
