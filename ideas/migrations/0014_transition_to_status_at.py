from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0013_moderation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ideatransition",
            index=models.Index(fields=["to_status", "at", "idea"], name="transition_to_at"),
        ),
    ]
