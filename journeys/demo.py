"""Demo moments of a retail bank's customer journey on the default journey.

Idempotent: moments are looked up by (stage, name) and only created when missing. Runs
before the ideas demo, which places its ideas on these moments and must leave the moments in
``GAP_MOMENT_NAMES`` without a live idea, so the map shows a few deliberate gaps.
"""

import importlib

from django.apps import apps

from journeys.models import Effect, Journey, Moment, Stage

C, D = Effect.CREATES_VALUE, Effect.DESTROYS_VALUE

# stage name -> [(moment name, effect, severity, evidence)]
DEMO_MOMENTS: dict[str, list[tuple[str, str, int, str]]] = {
    "Discover": [
        (
            "Comparing mortgage rates online",
            D,
            4,
            "41% of mortgage prospects leave the rate page for a comparison site (web analytics, Q1).",
        ),
        (
            "Friendly savings calculator",
            C,
            2,
            "Calculator users are twice as likely to book an appointment.",
        ),
    ],
    "Consider": [
        (
            "Fee schedule hard to find",
            D,
            3,
            "'Where are the fees?' is the #2 search on the website.",
        ),
        (
            "Advisor video call on the same day",
            C,
            3,
            "NPS 71 after same-day video advice vs 38 for a branch visit in two weeks.",
        ),
    ],
    "Evaluate": [
        (
            "Mortgage pre-approval takes a week",
            D,
            5,
            "Median 6.5 days to pre-approval; competitors promise 24 hours.",
        ),
    ],
    "Purchase": [
        (
            "Branch queue at account opening",
            D,
            4,
            "Average wait 27 minutes on Saturdays; 12% walk out (branch counters).",
        ),
        (
            "Identity check fails on a foreign passport",
            D,
            3,
            "1 in 9 online openings by expats fall back to the branch.",
        ),
    ],
    "Onboard": [
        (
            "Card activation delay",
            D,
            4,
            "Cards arrive in 5 days but activation PINs in 8; 2,300 calls a month.",
        ),
        (
            "Welcome call from a personal banker",
            C,
            3,
            "Customers called in week one hold 1.4 more products after a year.",
        ),
    ],
    "Use": [
        (
            "App login lockout",
            D,
            5,
            "3.1% of app sessions end in a lockout; top reason for one-star reviews.",
        ),
        (
            "Overdraft fee surprise",
            D,
            4,
            "Fee complaints doubled after the tariff change; 'no warning' in 60% of verbatims.",
        ),
        (
            "Instant spending insights",
            C,
            2,
            "Weekly insight e-mails have a 48% open rate.",
        ),
    ],
    "Get help": [
        (
            "Disputed transaction call",
            D,
            5,
            "Average handling 19 minutes with two transfers; CSAT 2.1/5.",
        ),
        (
            "Chat hands over to a human with context",
            C,
            3,
            "First-contact resolution 78% when the transcript is handed over.",
        ),
    ],
    "Renew": [
        (
            "Renewal letter jargon",
            D,
            3,
            "Only 35% of customers could say their new rate after reading the letter (lab test).",
        ),
        (
            "Loyalty rate offered before renewal",
            C,
            4,
            "Retention 88% with a proactive offer vs 71% without.",
        ),
    ],
    "Love": [
        (
            "Birthday fee waiver",
            C,
            2,
            "Unprompted mentions in 4% of positive reviews.",
        ),
    ],
    "Recommend": [
        (
            "Nothing to share after a good experience",
            D,
            2,
            "Promoters (NPS 9-10) who recommended us in the last year: 22%.",
        ),
    ],
    "Review & share": [
        (
            "Review request at the wrong moment",
            D,
            2,
            "Review prompts shown after a failed payment get 1.8 stars on average.",
        ),
    ],
    "Refer": [
        (
            "Refer-a-friend bonus delay",
            D,
            4,
            "Bonus paid after 90 days on average; 'still waiting' in 30% of referral complaints.",
        ),
        (
            "Friend joins in two taps from a shared link",
            C,
            3,
            "Referral links convert at 19% when the form is pre-filled.",
        ),
    ],
}

# Value-destroying moments the ideas demo must leave without a live idea: the map's gaps.
GAP_MOMENT_NAMES = [
    "Identity check fails on a foreign passport",
    "Renewal letter jargon",
    "Review request at the wrong moment",
    "Refer-a-friend bonus delay",
]


def seed(stdout=None) -> dict[str, Moment]:
    """Create the demo moments on the default journey; returns them by name."""
    journey = Journey.objects.default()
    if journey is None:
        # A flushed database (transactional tests) or a deleted journey: recreate it exactly
        # as the data migration does.
        migration = importlib.import_module("journeys.migrations.0002_default_journey")
        migration.create_default_journey(apps, None)
        journey = Journey.objects.default()
    stages = {stage.name: stage for stage in Stage.objects.of_journey(journey)}
    moments: dict[str, Moment] = {}
    for stage_name, rows in DEMO_MOMENTS.items():
        stage = stages.get(stage_name)
        if stage is None:  # a manager renamed the stage: leave their journey alone
            continue
        for name, effect, severity, evidence in rows:
            moment, _ = Moment.objects.get_or_create(
                stage=stage,
                name=name,
                defaults={"effect": effect, "severity": severity, "evidence": evidence},
            )
            moments[name] = moment
    if stdout is not None:
        stdout.write(f"journeys: {len(moments)} demo moments on “{journey.name}”")
    return moments
