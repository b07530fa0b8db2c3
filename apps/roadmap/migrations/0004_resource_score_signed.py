"""The ranking score becomes signed (liked minus disliked, in [-1, 1], 0 without votes), so an
unvoted resource ranks above a net-negative one: the check constraint widens here; the stored
scores are recomputed by community's 0002_rescore_signed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0003_renormalize_resource_urls"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="resource",
            name="resource_score_in_unit_range",
        ),
        migrations.AddConstraint(
            model_name="resource",
            constraint=models.CheckConstraint(
                condition=models.Q(("score__gte", -1), ("score__lte", 1)),
                name="resource_score_in_signed_range",
            ),
        ),
    ]
