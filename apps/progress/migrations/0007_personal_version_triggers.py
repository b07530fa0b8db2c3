"""Triggers that move a learner's personal version (accounts.PersonalVersion, made if missing)
on every write to their enrolments, progress rows, check-ins and resource ticks, by whatever
path: what the signed-in pages show of them is kept under it (roadmap_site/page_layer.py).
One bump per row written (an UPDATE that moves a row to another user bumps both), in the
writer's transaction, so it commits with the row. TRUNCATE is not covered: no path of the site
truncates these tables (tests flush every table at once)."""

from django.db import migrations

from apps.accounts.personal_triggers import personal_version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_personal_version"),
        ("progress", "0006_topicprogress_revision_done"),
    ]

    operations = [
        personal_version_triggers(
            {
                "progress_enrollment": "user_id",
                "progress_topicprogress": "user_id",
                "progress_weeklycheckin": "user_id",
                "progress_resourcetick": "user_id",
            }
        ),
    ]
