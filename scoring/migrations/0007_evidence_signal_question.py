"""The "evidence of need" signal's question refers to the evidence listed on the scorecard.

Only the default wording is replaced: a question someone rewrote is left alone.
"""

from django.db import migrations

OLD = "How strong is the evidence that customers feel this need?"
NEW = (
    "How strong is the evidence listed above (its kinds, how many customers it speaks for, "
    "how recent) that customers feel this need?"
)


def forwards(apps, schema_editor):
    Signal = apps.get_model("scoring", "Signal")
    Signal.objects.filter(key="evidence", question=OLD).update(question=NEW)


def backwards(apps, schema_editor):
    Signal = apps.get_model("scoring", "Signal")
    Signal.objects.filter(key="evidence", question=NEW).update(question=OLD)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0006_backfill_latest_score")]

    operations = [migrations.RunPython(forwards, backwards)]
