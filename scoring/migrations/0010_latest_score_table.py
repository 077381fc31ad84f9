"""Each idea's latest panel score moves from a column of the (wide, much indexed) idea row to
a narrow table of its own: a run that moves 10,000 ideas' scores rewrites 10,000 small rows.
The values are copied; ``ideas/0018`` then drops the column and points the stage counters'
triggers at this table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0017_triage_index"),
        ("scoring", "0009_default_rubrics"),
    ]

    operations = [
        migrations.CreateModel(
            name="LatestScore",
            fields=[
                (
                    "idea",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="latest",
                        serialize=False,
                        to="ideas.idea",
                    ),
                ),
                ("score", models.DecimalField(decimal_places=6, max_digits=9)),
            ],
            options={
                "indexes": [models.Index(fields=["-score", "idea"], name="latestscore_top")],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO scoring_latestscore (idea_id, score) "
            "SELECT id, latest_score FROM ideas_idea WHERE latest_score IS NOT NULL",
            "UPDATE ideas_idea SET latest_score = (SELECT score FROM scoring_latestscore "
            "WHERE idea_id = ideas_idea.id)",
        ),
    ]
