import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def hidden_comments_forward(apps, schema_editor):
    Comment = apps.get_model("ideas", "Comment")
    Comment.objects.filter(is_hidden=True).update(moderation="hidden")


def hidden_comments_backward(apps, schema_editor):
    Comment = apps.get_model("ideas", "Comment")
    Comment.objects.filter(moderation="hidden").update(is_hidden=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0012_transition_internal_note"),
        ("journeys", "0002_default_journey"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Flag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.CharField(max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ModerationCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "cause",
                    models.CharField(
                        choices=[
                            ("premoderation", "Campaign pre-moderation"),
                            ("suspect", "Suspect content"),
                            ("flags", "Flagged by readers"),
                        ],
                        max_length=16,
                    ),
                ),
                ("detail", models.CharField(blank=True, max_length=200)),
                ("flag_count", models.PositiveIntegerField(default=0)),
                ("opened_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "decision",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("hidden", "Hidden"),
                        ],
                        max_length=10,
                    ),
                ),
                ("reason", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["opened_at", "id"],
            },
        ),
        migrations.RemoveIndex(
            model_name="idea",
            name="idea_stage_status",
        ),
        migrations.RenameField(
            model_name="comment",
            old_name="hidden_by",
            new_name="moderated_by",
        ),
        migrations.AddField(
            model_name="campaign",
            name="premoderation",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Customers' ideas and comments wait for a moderator before others see them.",
                verbose_name="Pre-moderate customers",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="moderation",
            field=models.CharField(
                choices=[
                    ("published", "Published"),
                    ("held", "Held for review"),
                    ("rejected", "Rejected by a moderator"),
                    ("hidden", "Hidden by a moderator"),
                ],
                db_default="published",
                default="published",
                max_length=10,
            ),
        ),
        # Comments a moderator had hidden keep that state.
        migrations.RunPython(hidden_comments_forward, hidden_comments_backward, elidable=True),
        migrations.RemoveField(
            model_name="comment",
            name="is_hidden",
        ),
        migrations.AddField(
            model_name="comment",
            name="moderation_note",
            field=models.TextField(blank=True, db_default=""),
        ),
        migrations.AddField(
            model_name="idea",
            name="moderation",
            field=models.CharField(
                choices=[
                    ("published", "Published"),
                    ("held", "Held for review"),
                    ("rejected", "Rejected by a moderator"),
                    ("hidden", "Hidden by a moderator"),
                ],
                db_default="published",
                default="published",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="idea",
            name="moderation_note",
            field=models.TextField(blank=True, db_default=""),
        ),
        migrations.AddIndex(
            model_name="idea",
            index=models.Index(
                fields=["stage", "status", "moderation"], name="idea_stage_status_mod"
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="moderationcase",
            name="closed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="moderationcase",
            name="comment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="moderation_cases",
                to="ideas.comment",
            ),
        ),
        migrations.AddField(
            model_name="moderationcase",
            name="idea",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="moderation_cases",
                to="ideas.idea",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="flags",
                to="ideas.moderationcase",
            ),
        ),
        migrations.AddIndex(
            model_name="moderationcase",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True)),
                fields=["opened_at", "id"],
                name="moderation_case_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="moderationcase",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_at__isnull", True), ("comment__isnull", True)),
                fields=("idea",),
                name="moderation_case_open_idea",
            ),
        ),
        migrations.AddConstraint(
            model_name="moderationcase",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_at__isnull", True), ("comment__isnull", False)),
                fields=("comment",),
                name="moderation_case_open_comment",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(fields=("case", "user"), name="flag_once_per_case"),
        ),
    ]
