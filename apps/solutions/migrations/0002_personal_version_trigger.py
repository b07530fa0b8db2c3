"""A trigger that moves the learner's personal version (accounts.PersonalVersion, made if
missing) on every write to their solutions, by whatever path (the demo checks write without a
version of their own): the dashboard shows their goal project's solution and is kept under it
(roadmap_site/dashboard_layer.py). One bump per row, as progress migration 0007 does."""

from django.db import migrations

from apps.accounts.personal_triggers import personal_version_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_personal_version"),
        ("solutions", "0001_initial"),
    ]

    operations = [
        personal_version_triggers({"solutions_solution": "learner_id"}),
    ]
