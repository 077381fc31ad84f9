"""Default rubric descriptions for the four default signals (each point of the 1-5 scale).

Only an empty rubric is filled: descriptions someone already wrote are left alone.
"""

from django.db import migrations

RUBRICS = {
    "importance": {
        "1": "Customers would not notice: no customer task or pain behind it.",
        "2": "A nice-to-have for a few customers; they manage fine without it.",
        "3": "A real need for one segment, or a minor irritation for many.",
        "4": "Matters to many customers at a moment they care about.",
        "5": "Critical: customers leave, complain or call because of it.",
    },
    "evidence": {
        "1": "No evidence: an opinion or a hunch.",
        "2": "Anecdotes: one or two stories, or our own assumption.",
        "3": "One solid source (complaints, a survey or analytics) for some customers.",
        "4": "Several recent sources agree, for many customers.",
        "5": "Strong, recent, measured evidence across channels and segments.",
    },
    "uniqueness": {
        "1": "Everyone already does this; customers would not tell us apart.",
        "2": "Catches up with competitors who already offer it.",
        "3": "Better than most, but similar offers exist.",
        "4": "Clearly different from what competitors offer today.",
        "5": "Unique in our market: a reason to choose us.",
    },
    "defensibility": {
        "1": "Anyone could copy it within weeks.",
        "2": "Easy to copy within a few months.",
        "3": "Copying needs a real project, but nothing special.",
        "4": "Builds on our data, partners or systems: hard to copy.",
        "5": "Rests on assets competitors cannot get: practically impossible to copy.",
    },
}

def forwards(apps, schema_editor):
    Signal = apps.get_model("scoring", "Signal")
    for key, rubric in RUBRICS.items():
        Signal.objects.filter(key=key, rubric={}).update(rubric=rubric)


def backwards(apps, schema_editor):
    Signal = apps.get_model("scoring", "Signal")
    for key, rubric in RUBRICS.items():
        Signal.objects.filter(key=key, rubric=rubric).update(rubric={})


class Migration(migrations.Migration):
    dependencies = [("scoring", "0008_rubric_and_rationale_required")]

    operations = [migrations.RunPython(forwards, backwards)]
