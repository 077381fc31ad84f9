from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0012_transition_internal_note"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ideatransition",
            index=models.Index(fields=["to_status", "at", "idea"], name="transition_to_at"),
        ),
    ]
