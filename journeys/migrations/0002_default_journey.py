"""The default Buy / Own / Advocate journey with the Purchase and Love junctures.

A juncture belongs to the cycle it closes: Purchase ends the Buy cycle, Love ends the Own
cycle. Reversible: going backwards deletes the default journey (its stages and moments go
with it by cascade; ideas keep existing with stage/moment set to NULL).
"""

from django.db import migrations

DEFAULT_NAME = "Customer journey"
DEFAULT_DESCRIPTION = (
    "Buy (discovery to new customer), the Purchase juncture, Own (purchase to love), "
    "the Love juncture, and Advocate (loyal customers who influence others)."
)
# (name, cycle, kind) in journey order; order = position + 1.
DEFAULT_STAGES = [
    ("Discover", "buy", "step"),
    ("Consider", "buy", "step"),
    ("Evaluate", "buy", "step"),
    ("Purchase", "buy", "juncture"),
    ("Onboard", "own", "step"),
    ("Use", "own", "step"),
    ("Get help", "own", "step"),
    ("Renew", "own", "step"),
    ("Love", "own", "juncture"),
    ("Recommend", "advocate", "step"),
    ("Review & share", "advocate", "step"),
    ("Refer", "advocate", "step"),
]


def create_default_journey(apps, schema_editor):
    Journey = apps.get_model("journeys", "Journey")
    Stage = apps.get_model("journeys", "Stage")
    if Journey.objects.filter(is_default=True).exists():
        return
    journey = Journey.objects.create(
        name=DEFAULT_NAME, description=DEFAULT_DESCRIPTION, is_default=True
    )
    Stage.objects.bulk_create(
        Stage(journey=journey, name=name, cycle=cycle, kind=kind, order=position)
        for position, (name, cycle, kind) in enumerate(DEFAULT_STAGES, start=1)
    )


def delete_default_journey(apps, schema_editor):
    Journey = apps.get_model("journeys", "Journey")
    Journey.objects.filter(is_default=True, name=DEFAULT_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("journeys", "0001_initial")]

    operations = [migrations.RunPython(create_default_journey, delete_default_journey)]
