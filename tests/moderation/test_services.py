"""Moderation services: for every action the state change, exactly one log entry with the
table's wording, the content_version bump, and the email in the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.accounts.services import user_delete
from apps.community.models import Report, Vote
from apps.community.ranking import wilson_lower_bound
from apps.moderation.models import ModerationAction
from apps.moderation.services import notifications, reports, resources, roles, submissions, topics
from apps.progress.models import ResourceTick, TopicProgress
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import
from roadmap_site.errors import Conflict, Invalid
from tests.factories import PASSWORD, FlagFactory, UserFactory, pending, resource

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "ml-engineer-roadmap.md"


def version(roadmap: Roadmap) -> int:
    return Roadmap.objects.get(pk=roadmap.pk).content_version


def only_log_entry(**expected) -> ModerationAction:
    entries = list(ModerationAction.objects.all())
    assert len(entries) == 1, entries
    entry = entries[0]
    for name, value in expected.items():
        assert getattr(entry, name) == value, (name, getattr(entry, name), value)
    return entry


def assert_two_part_mail(message, *, to: str, words: list[str]) -> None:
    assert message.to == [to]
    assert len(message.alternatives) == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for word in words:
        assert word in message.body, word
        assert word in html, word


# -- approve and reject


def test_approve_publishes_logs_bumps_and_mails(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    submission = pending(roadmap, topic, submitter, title="Pytest for ML")
    before = version(roadmap)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.submission_approve(
            actor=moderator, resource=submission, note="Clear and short."
        )
    submission.refresh_from_db()
    assert submission.status == Resource.Status.APPROVED
    assert submission.review_reason == "Clear and short." and submission.reviewed_at
    assert version(roadmap) == before + 1
    only_log_entry(
        action="approve",
        actor=moderator,
        actor_name="Maud",
        target_type="resource",
        target_id=submission.pk,
        target_title="Pytest for ML",
        reason="Clear and short.",
    )
    assert submission.history.first().history_user == moderator
    assert len(mailoutbox) == 1
    assert "is on the roadmap" in mailoutbox[0].subject
    assert_two_part_mail(
        mailoutbox[0], to="sam@mail.example", words=["Pytest for ML", "Clear and short."]
    )


def test_the_approve_note_is_optional_and_the_email_can_be_turned_off(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    submitter.email_submission_decisions = False
    submitter.save()
    submission = pending(roadmap, topic, submitter)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.submission_approve(actor=moderator, resource=submission)
    only_log_entry(action="approve", reason="")
    assert mailoutbox == []


def test_reject_needs_a_reason_and_then_mails_it(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    submission = pending(roadmap, topic, submitter, title="Spammy page")
    before = version(roadmap)
    for blank in ("", "   "):
        with pytest.raises(Invalid) as error:
            submissions.submission_reject(actor=moderator, resource=submission, reason=blank)
        assert "reason" in error.value.message_dict
    submission.refresh_from_db()
    assert submission.status == Resource.Status.PENDING
    assert not ModerationAction.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        submissions.submission_reject(
            actor=moderator, resource=submission, reason="It sells a course, not a tutorial."
        )
    submission.refresh_from_db()
    assert submission.status == Resource.Status.REJECTED
    assert submission.review_reason == "It sells a course, not a tutorial."
    assert version(roadmap) == before  # a pending submission was never public
    only_log_entry(action="reject", reason="It sells a course, not a tutorial.")
    assert len(mailoutbox) == 1 and "not accepted" in mailoutbox[0].subject
    assert_two_part_mail(
        mailoutbox[0],
        to="sam@mail.example",
        words=["Spammy page", "It sells a course, not a tutorial."],
    )


def test_a_decided_submission_cannot_be_decided_again(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    submission = pending(roadmap, topic, submitter)
    submissions.submission_approve(actor=moderator, resource=submission)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict),
    ):
        submissions.submission_reject(
            actor=moderator, resource=submission, reason="Changed my mind"
        )
    submission.refresh_from_db()
    assert submission.status == Resource.Status.APPROVED
    assert ModerationAction.objects.count() == 1
    assert mailoutbox == []


def test_a_readme_resource_is_not_a_submission(roadmap, topic, moderator) -> None:
    readme = resource(roadmap, topic, status=Resource.Status.PENDING)
    with pytest.raises(Conflict):
        submissions.submission_approve(actor=moderator, resource=readme)
    assert not ModerationAction.objects.exists()


def test_bulk_approve_logs_and_mails_one_per_submission(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    other = UserFactory(username="rae", email="rae@mail.example")
    items = [pending(roadmap, topic, submitter), pending(roadmap, topic, submitter)]
    items.append(pending(roadmap, topic, other))
    before = version(roadmap)
    with django_capture_on_commit_callbacks(execute=True):
        done = submissions.submissions_bulk_decide(
            actor=moderator, ids=[r.pk for r in items], action="approve"
        )
    assert {r.pk for r in done} == {r.pk for r in items}
    assert set(Resource.objects.values_list("status", flat=True)) == {"approved"}
    entries = ModerationAction.objects.order_by("target_id")
    assert [(e.action, e.target_id) for e in entries] == [("approve", r.pk) for r in items]
    assert version(roadmap) == before + 1  # one bump for the roadmap, in the same transaction
    assert sorted(m.to[0] for m in mailoutbox) == [
        "rae@mail.example",
        "sam@mail.example",
        "sam@mail.example",
    ]
    assert all(len(m.alternatives) == 1 for m in mailoutbox)


def test_bulk_reject_is_all_or_nothing(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    first, second = pending(roadmap, topic, submitter), pending(roadmap, topic, submitter)
    with pytest.raises(Invalid) as error:
        submissions.submissions_bulk_decide(actor=moderator, ids=[first.pk], action="reject")
    assert "reason" in error.value.message_dict
    with pytest.raises(Invalid) as error:
        submissions.submissions_bulk_decide(
            actor=moderator, ids=[first.pk, 999_999], action="reject", reason="Off topic"
        )
    assert "999999" in str(error.value.message_dict["ids"])
    submissions.submission_approve(actor=moderator, resource=second)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict) as conflict,
    ):
        submissions.submissions_bulk_decide(
            actor=moderator, ids=[first.pk, second.pk], action="reject", reason="Off topic"
        )
    assert conflict.value.extra == {"ids": [second.pk]}
    first.refresh_from_db()
    assert first.status == Resource.Status.PENDING
    assert ModerationAction.objects.count() == 1  # only the single approval before
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        submissions.submissions_bulk_decide(
            actor=moderator, ids=[first.pk], action="reject", reason="Off topic"
        )
    assert ModerationAction.objects.filter(action="reject", target_id=first.pk).count() == 1
    assert len(mailoutbox) == 1


# -- edit, retire, pick


def test_edit_changes_the_fields_logs_edit_and_bumps(roadmap, topic, moderator, mailoutbox) -> None:
    other_topic = Topic.objects.create(
        roadmap=roadmap, section=topic.section, slug="serving", title="Serving", order=2
    )
    item = resource(roadmap, topic, title="Old title")
    before = version(roadmap)
    resources.resource_edit(
        actor=moderator,
        resource=item,
        title="New title",
        kind="video",
        topic=other_topic,
        description="Better words.",
        reason="Clearer.",
    )
    item.refresh_from_db()
    assert (item.title, item.kind, item.topic, item.description_md) == (
        "New title",
        "video",
        other_topic,
        "Better words.",
    )
    assert version(roadmap) == before + 1
    entry = only_log_entry(action="edit", target_title="New title")
    assert entry.reason == "Changed the title, kind, topic, description. Clearer."
    assert item.history.first().history_user == moderator
    assert mailoutbox == []


def test_edit_refuses_bad_values_and_no_change(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic, title="Same")
    with pytest.raises(Invalid) as error:
        resources.resource_edit(actor=moderator, resource=item, title="x", kind="rumour")
    assert set(error.value.message_dict) == {"title", "kind"}
    with pytest.raises(Invalid):
        resources.resource_edit(actor=moderator, resource=item, title="Same")
    item.refresh_from_db()
    assert item.title == "Same" and item.kind == "docs"
    assert not ModerationAction.objects.exists()


def test_retire_takes_it_off_and_logs_retire(roadmap, topic, moderator, outsider) -> None:
    item = resource(roadmap, topic, editors_pick=True)
    ResourceTick.objects.create(user=outsider, resource=item)
    before = version(roadmap)
    resources.resource_retire(actor=moderator, resource=item, reason="The site closed.")
    item.refresh_from_db()
    assert item.status == Resource.Status.RETIRED and not item.editors_pick
    assert version(roadmap) == before + 1
    assert ResourceTick.objects.filter(user=outsider, resource=item).exists()
    only_log_entry(action="retire", reason="The site closed.")
    with pytest.raises(Conflict):
        resources.resource_retire(actor=moderator, resource=item)
    assert ModerationAction.objects.count() == 1


def test_pick_and_unpick_log_pick(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic)
    before = version(roadmap)
    resources.resource_pick(actor=moderator, resource=item, editors_pick=True, reason="The best")
    item.refresh_from_db()
    assert item.editors_pick
    assert version(roadmap) == before + 1
    only_log_entry(action="pick", reason="Made it an editor's pick. The best")
    with pytest.raises(Conflict):
        resources.resource_pick(actor=moderator, resource=item, editors_pick=True)
    resources.resource_pick(actor=moderator, resource=item, editors_pick=False)
    item.refresh_from_db()
    assert not item.editors_pick
    assert list(ModerationAction.objects.values_list("action", "reason")) == [
        ("pick", "No longer an editor's pick."),
        ("pick", "Made it an editor's pick. The best"),
    ]
    pending_item = resource(roadmap, topic, status=Resource.Status.PENDING)
    with pytest.raises(Conflict):
        resources.resource_pick(actor=moderator, resource=pending_item, editors_pick=True)


# -- merge


def test_merge_moves_votes_ticks_and_reports_and_keeps_one_vote_per_user(
    roadmap, topic, moderator, submitter
) -> None:
    target = resource(roadmap, topic, title="The original", submitted_by=submitter)
    duplicate = resource(roadmap, topic, title="The copy")
    both, only_dup, owner_of_target, ticker = (
        UserFactory(username=name) for name in ("both", "onlydup", "x", "ticker")
    )
    # `both` voted on each (down on the target, up on the copy); `only_dup` only on the copy;
    # the target's own submitter voted on the copy and cannot vote on their own resource.
    Vote.objects.create(user=both, resource=target, value=-1)
    Vote.objects.create(user=both, resource=duplicate, value=1)
    Vote.objects.create(user=only_dup, resource=duplicate, value=1)
    Vote.objects.create(user=owner_of_target, resource=target, value=1)
    Vote.objects.create(user=submitter, resource=duplicate, value=1)
    Resource.objects.filter(pk=target.pk).update(upvotes=1, downvotes=1)
    Resource.objects.filter(pk=duplicate.pk).update(upvotes=3, downvotes=0)
    ResourceTick.objects.create(user=both, resource=target)
    ResourceTick.objects.create(user=both, resource=duplicate)
    ResourceTick.objects.create(user=ticker, resource=duplicate)
    progress = TopicProgress.objects.create(user=ticker, topic=topic, status="done", note_md="x")
    open_report = Report.objects.create(resource=duplicate, user=only_dup, reason="duplicate")
    before = version(roadmap)

    resources.resource_merge(
        actor=moderator, resource=duplicate, into_id=target.pk, reason="Same page"
    )

    votes = dict(Vote.objects.filter(resource=target).values_list("user__username", "value"))
    assert votes == {"both": -1, "onlydup": 1, "x": 1}
    assert not Vote.objects.filter(resource=duplicate).exists()
    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert (target.upvotes, target.downvotes) == (2, 1)
    assert target.score == pytest.approx(wilson_lower_bound(2, 1))
    assert (duplicate.upvotes, duplicate.downvotes, duplicate.score) == (0, 0, 0.0)
    assert duplicate.status == Resource.Status.RETIRED
    ticks = sorted(ResourceTick.objects.values_list("user__username", "resource_id"))
    assert ticks == [("both", target.pk), ("ticker", target.pk)]
    open_report.refresh_from_db()
    assert open_report.resolved_at and open_report.resolved_by == moderator
    progress.refresh_from_db()
    assert (progress.status, progress.note_md, progress.version) == ("done", "x", 1)
    assert version(roadmap) == before + 1
    only_log_entry(
        action="merge",
        target_id=duplicate.pk,
        target_title="The copy",
        reason=f"Merged into “The original” (#{target.pk}). Same page",
    )


def test_merge_refuses_itself_other_roadmaps_and_unapproved_targets(
    roadmap, topic, moderator
) -> None:
    item = resource(roadmap, topic)
    with pytest.raises(Invalid):
        resources.resource_merge(actor=moderator, resource=item, into_id=item.pk)
    elsewhere = Roadmap.objects.create(slug="other", title="Other")
    foreign = resource(elsewhere, None)
    with pytest.raises(Invalid):
        resources.resource_merge(actor=moderator, resource=item, into_id=foreign.pk)
    retired = resource(roadmap, topic, status=Resource.Status.RETIRED)
    with pytest.raises(Conflict):
        resources.resource_merge(actor=moderator, resource=item, into_id=retired.pk)
    item.refresh_from_db()
    assert item.status == Resource.Status.APPROVED
    assert not ModerationAction.objects.exists()


def test_merging_a_pending_submission_tells_its_submitter_why(
    roadmap, topic, moderator, submitter
) -> None:
    target = resource(roadmap, topic, title="Already here")
    submission = pending(roadmap, topic, submitter)
    resources.resource_merge(actor=moderator, resource=submission, into_id=target.pk)
    submission.refresh_from_db()
    assert submission.status == Resource.Status.RETIRED
    assert "Already here" in submission.review_reason
    only_log_entry(action="merge", target_id=submission.pk)


# -- reports


def test_resolve_report_logs_the_moderators_note_not_the_reporters(
    roadmap, topic, moderator, outsider
) -> None:
    item = resource(roadmap, topic, title="Flaky page")
    report = Report.objects.create(
        resource=item, user=outsider, reason="broken", note="my email is olive@mail.example"
    )
    reports.report_resolve(actor=moderator, report=report, note="Works again.")
    report.refresh_from_db()
    assert report.resolved_by == moderator and report.resolved_at
    assert report.resolution_note == "Works again."
    entry = only_log_entry(
        action="resolve-report",
        target_type="report",
        target_id=report.pk,
        target_title="Flaky page",
    )
    assert entry.reason == "Report: the link is broken. Works again."
    assert "olive" not in entry.reason
    with pytest.raises(Conflict):
        reports.report_resolve(actor=moderator, report=report)
    assert ModerationAction.objects.count() == 1


# -- topics: edit, revisions, revert


def test_topic_edit_keeps_a_revision_recomputes_the_summary_and_logs(
    roadmap, topic, phase, moderator
) -> None:
    before = version(roadmap)
    topics.topic_edit(
        actor=moderator,
        topic=topic,
        title="Testing ML code",
        body="Write tests first. Then the code.",
        key_points=["unit tests", "property tests"],
        est_hours=6,
        phase=None,
        order=3,
        reason="Sharper.",
    )
    topic.refresh_from_db()
    assert topic.title == "Testing ML code"
    assert topic.summary == "Write tests first."
    assert (topic.key_points, topic.est_hours, topic.phase_id, topic.order) == (
        ["unit tests", "property tests"],
        6,
        None,
        3,
    )
    assert version(roadmap) == before + 1
    latest = topic.history.first()
    assert latest.history_user == moderator
    assert latest.body_md == "Write tests first. Then the code."
    only_log_entry(
        action="edit-topic",
        target_type="topic",
        target_id=topic.pk,
        reason="Changed the title, text, key things, hours, phase, order. Sharper.",
    )


def test_topic_edit_refuses_bad_values(roadmap, topic, moderator) -> None:
    with pytest.raises(Invalid) as error:
        topics.topic_edit(
            actor=moderator, topic=topic, title="", est_hours=401, key_points=[""], order=-1
        )
    assert set(error.value.message_dict) == {"title", "est_hours", "key_points", "order"}
    with pytest.raises(Invalid):
        topics.topic_edit(actor=moderator, topic=topic, title="Testing")  # no change
    topic.refresh_from_db()
    assert topic.title == "Testing" and topic.est_hours == 4
    assert not ModerationAction.objects.exists()


def test_revert_restores_the_exact_earlier_text_as_a_new_revision(
    roadmap, topic, phase, moderator
) -> None:
    original = topic.history.first()
    topics.topic_edit(actor=moderator, topic=topic, body="Changed.", est_hours=9, phase=None)
    topics.topic_edit(actor=moderator, topic=topic, title="Changed again")
    assert topic.history.count() == 3
    ModerationAction.objects.all().delete()  # only the revert's entry is looked at below
    before = version(roadmap)

    topics.topic_revert(actor=moderator, topic=topic, revision_id=original.history_id)

    topic.refresh_from_db()
    assert (topic.title, topic.body_md, topic.summary) == (
        "Testing",
        "Tests catch bugs. They also document.",
        "Tests catch bugs.",
    )
    assert (topic.est_hours, topic.phase_id, topic.key_points) == (4, phase.pk, ["unit tests"])
    assert topic.history.count() == 4
    newest = topic.history.first()
    assert newest.history_user == moderator
    assert newest.history_change_reason == f"revert to revision {original.history_id}"
    assert version(roadmap) == before + 1
    entry = only_log_entry(action="revert", target_type="topic", target_id=topic.pk)
    assert entry.reason.startswith(f"Back to revision {original.history_id} of ")
    with pytest.raises(Conflict):
        topics.topic_revert(actor=moderator, topic=topic, revision_id=original.history_id)
    with pytest.raises(Invalid):
        topics.topic_revert(actor=moderator, topic=topic, revision_id=999_999)
    assert ModerationAction.objects.count() == 1


def test_a_reimport_never_overwrites_a_moderators_topic_edit(moderator) -> None:
    text = decode_readme(SEED.read_bytes())
    roadmap = roadmap_import(text=text, slug="ml-engineer").roadmap
    topic = Topic.objects.get(roadmap=roadmap, slug="model-lifecycle")
    topics.topic_edit(
        actor=moderator,
        topic=topic,
        title="The Model Lifecycle",
        body="A moderator's better text. More follows.",
        est_hours=7,
    )
    # The same file again: nothing of the edit moves.
    roadmap_import(text=text, slug="ml-engineer")
    # A file whose own text for that topic changed: the moderator's text still stays.
    edited = text.replace(
        "- **Model Lifecycle:** This encompasses stages",
        "- **Model Lifecycle:** This covers the stages",
    )
    assert edited != text
    report = roadmap_import(text=edited, slug="ml-engineer")
    topic.refresh_from_db()
    assert topic.title == "The Model Lifecycle"
    assert topic.body_md == "A moderator's better text. More follows."
    assert topic.summary == "A moderator's better text."
    assert topic.est_hours == 7
    assert any("topic model-lifecycle: body_md" in c for c in report.conflicts)
    assert ModerationAction.objects.filter(action="edit-topic").count() == 1


# -- the role, deletion and the digest


def test_a_deleted_moderator_becomes_a_pseudonym_in_the_log(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic)
    resources.resource_pick(actor=moderator, resource=item, editors_pick=True)
    moderator_id = moderator.pk
    user_delete(user=moderator, password=PASSWORD)
    entry = ModerationAction.objects.get()
    assert entry.actor is None and entry.actor_name == f"moderator {moderator_id}"


def test_digest_goes_only_to_moderators_who_want_it_and_only_with_work(
    roadmap, topic, submitter, moderator, mailoutbox
) -> None:
    from django.contrib.auth.models import Group

    quiet = UserFactory(username="quiet", email="quiet@mail.example")
    roles.moderator_add(user=quiet)
    quiet.email_moderation_digest = False
    quiet.save()
    UserFactory(username="root", email="root@mail.example", is_superuser=True)
    assert Group.objects.get(name="moderators").permissions.count() == len(
        roles.MODERATOR_PERMISSIONS
    )

    assert notifications.moderator_digest_notify() == 0  # empty queue: no email
    assert mailoutbox == []

    pending(roadmap, topic, submitter)
    pending(roadmap, topic, submitter)
    Report.objects.create(resource=resource(roadmap, topic), user=submitter, reason="spam")
    assert notifications.moderator_digest_notify() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["maud@mail.example", "root@mail.example"]
    message = mailoutbox[0]
    assert "2 submissions, 1 report, 0 broken links, 0 flags" in message.subject
    assert_two_part_mail(
        message, to=message.to[0], words=["2 submissions waiting", "1 open report"]
    )
    mailoutbox.clear()
    FlagFactory(user=submitter)  # a flag on a solution counts as work on its own
    Resource.objects.filter(status=Resource.Status.PENDING).delete()
    Report.objects.all().delete()
    assert notifications.moderator_digest_notify() == 2
    assert "0 submissions, 0 reports, 0 broken links, 1 flag" in mailoutbox[0].subject
    assert_two_part_mail(
        mailoutbox[0], to=mailoutbox[0].to[0], words=["1 open flag on solutions and reviews"]
    )


def test_email_subjects_are_not_html_escaped(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    title = 'Tips & tricks for "fast" <b>PyTorch</b>'
    submission = pending(roadmap, topic, submitter, title=title)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.submission_approve(actor=moderator, resource=submission)
    subject = mailoutbox[0].subject
    assert title in subject
    assert "&amp;" not in subject and "&quot;" not in subject and "&lt;" not in subject
    html, _ = mailoutbox[0].alternatives[0]
    assert "<b>PyTorch</b>" not in html  # the HTML body still escapes the title


def test_merge_into_a_missing_resource_is_refused_at_the_target_field(
    roadmap, topic, moderator
) -> None:
    item = resource(roadmap, topic)
    with pytest.raises(Invalid) as refused:
        resources.resource_merge(actor=moderator, resource=item, into_id=item.pk + 10_000)
    assert refused.value.fields == {"into": ["No resource has that id."]}
    item.refresh_from_db()
    assert item.status == Resource.Status.APPROVED
