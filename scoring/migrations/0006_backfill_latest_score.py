"""Fill ideas.Idea.latest_score from the existing panel results (scoring owns its writes)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forward(apps, schema_editor):
    Idea = apps.get_model("ideas", "Idea")
    IdeaScore = apps.get_model("scoring", "IdeaScore")
    latest = (
        IdeaScore.objects.filter(idea=OuterRef("pk"))
        .order_by("-computed_at", "-id")
        .values("overall")[:1]
    )
    Idea.objects.filter(idea_scores__isnull=False).distinct().update(
        latest_score=Subquery(latest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0005_assignment_progress_index"),
        ("ideas", "0010_idea_latest_score"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
