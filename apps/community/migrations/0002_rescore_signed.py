"""Every stored ranking score recomputed from the vote counters by the one formula in
apps/community/ranking.py, now that it is signed (roadmap's 0003 widened the constraint)."""

from django.db import migrations

from apps.community.ranking import resource_score, share_lower_bound

BATCH = 1000


def _rescore(apps, formula) -> None:
    Resource = apps.get_model("roadmap", "Resource")
    batch = []
    rows = Resource.objects.only("pk", "upvotes", "downvotes", "score").order_by("pk")
    for resource in rows.iterator(chunk_size=BATCH):
        score = formula(resource.upvotes, resource.downvotes)
        if score != resource.score:
            resource.score = score
            batch.append(resource)
        if len(batch) >= BATCH:
            Resource.objects.bulk_update(batch, ["score"])
            batch = []
    Resource.objects.bulk_update(batch, ["score"])


def rescore_signed(apps, schema_editor) -> None:
    _rescore(apps, resource_score)


def rescore_upvote_share(apps, schema_editor) -> None:
    """Back to the former score, the Wilson lower bound of the share of upvotes, in [0, 1]."""
    _rescore(apps, share_lower_bound)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("roadmap", "0004_resource_score_signed"),
    ]

    operations = [
        migrations.RunPython(rescore_signed, rescore_upvote_share),
    ]
