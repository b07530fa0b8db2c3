from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0007_topic_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="pageversion",
            name="community_version",
            field=models.PositiveBigIntegerField(default=1),
        ),
    ]
