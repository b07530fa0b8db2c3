"""Moderators used to be made staff when they got the role; the role no longer opens the admin
(moderators work on the moderation pages), so the flag it gave is taken back. Superusers keep
theirs. Only members of the moderators group lose it: staff granted for another reason
cannot be told apart from the role's, and a moderator who needs the admin gets it again by
hand."""

from django.db import migrations

MODERATORS_GROUP = "moderators"  # apps.accounts.roles.MODERATORS_GROUP, as of this migration


def moderators_are_not_staff(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    User.objects.filter(groups__name=MODERATORS_GROUP, is_staff=True, is_superuser=False).update(
        is_staff=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_email_moderation_digest"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(moderators_are_not_staff, migrations.RunPython.noop, elidable=True),
    ]
