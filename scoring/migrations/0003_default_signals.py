"""The four default signals and the default scorecard. Reversible."""

from django.db import migrations

SIGNALS = [
    ("importance", "Customer importance", "Is this important enough for our customers?", "need"),
    (
        "evidence",
        "Evidence of need",
        "How strong is the evidence that customers feel this need?",
        "need",
    ),
    ("uniqueness", "Differentiation", "Are we providing support in a unique way?", "differentiation"),
    ("defensibility", "Hard to copy", "Would competitors find it hard to copy?", "differentiation"),
]
DEFAULT_SCORECARD = "Customer need & differentiation"


def forwards(apps, schema_editor):
    Signal = apps.get_model("scoring", "Signal")
    Scorecard = apps.get_model("scoring", "Scorecard")
    ScorecardSignal = apps.get_model("scoring", "ScorecardSignal")
    signals = []
    for order, (key, name, question, group) in enumerate(SIGNALS, start=1):
        signal, _ = Signal.objects.update_or_create(
            key=key,
            defaults={"name": name, "question": question, "group": group, "order": order},
        )
        signals.append(signal)
    if Scorecard.objects.filter(is_default=True).exists():
        return
    card = Scorecard.objects.create(
        name=DEFAULT_SCORECARD, gate_threshold=3.5, min_reviews=3, min_functions=3, is_default=True
    )
    for signal in signals:
        ScorecardSignal.objects.create(scorecard=card, signal=signal, weight=1)


def backwards(apps, schema_editor):
    """Remove the defaults where nothing uses them (links first, so no cascade runs)."""
    Signal = apps.get_model("scoring", "Signal")
    Scorecard = apps.get_model("scoring", "Scorecard")
    ScorecardSignal = apps.get_model("scoring", "ScorecardSignal")
    unused_cards = Scorecard.objects.filter(
        name=DEFAULT_SCORECARD, is_default=True, rounds__isnull=True
    ).values_list("pk", flat=True)
    ScorecardSignal.objects.filter(scorecard_id__in=list(unused_cards)).delete()
    Scorecard.objects.filter(pk__in=list(unused_cards)).delete()
    used = set(ScorecardSignal.objects.values_list("signal_id", flat=True))
    Signal.objects.filter(key__in=[s[0] for s in SIGNALS], scores__isnull=True).exclude(
        pk__in=used
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_round_task_id")]

    operations = [migrations.RunPython(forwards, backwards)]
