"""Demo feedback for the retail bank: about 3,000 items across channels over 180 days.

Verbatims are written per demo moment (``journeys.demo``), so most items land on the
journey; some arrive without a place and carry a suggestion to confirm. Items of moments that
have demo ideas are linked to those ideas (evidence). "Identity check fails on a foreign
passport" is the deliberate pain point: many recent complaints, rising, and no idea.

Deterministic (a fixed seed) and idempotent: nothing happens when demo items exist. Rows go
through the importer's ``normalise`` (masking, hashing) like any import, then one bulk insert.
"""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from feedback.importer import Places, normalise
from feedback.models import FeedbackItem, FeedbackLink
from feedback.placement import Suggester
from ideas.models import LIVE_STATUSES, Idea
from journeys.models import Journey

SOURCES = {
    "complaint": "complaints-crm",
    "survey": "nps-survey",
    "call": "contact-centre",
    "app_review": "app-store",
    "social": "social-listening",
    "branch": "branch-notes",
    "email": "service-mailbox",
    "chat": "chatbot",
}
PAIN_MOMENT = "Identity check fails on a foreign passport"
DAYS = 180
CUSTOMERS = 1200
SEGMENTS = ["mass market", "young professionals", "premier", "small business", "students"]

# moment name -> (weight, negative verbatims, positive verbatims)
VERBATIMS: dict[str, tuple[int, list[str], list[str]]] = {
    "Comparing mortgage rates online": (
        4,
        [
            "Your mortgage rate page shows the rate but not the fees, so I compared on another site.",
            "Could not work out what the mortgage would really cost me per month with all fees.",
        ],
        ["The mortgage rate comparison was clear and I liked the total cost figure."],
    ),
    "Fee schedule hard to find": (
        5,
        [
            "Where are the fees? I searched the website for ten minutes for the account fee schedule.",
            "The fee list is hidden in a PDF, impossible to find on the phone.",
        ],
        [],
    ),
    "Mortgage pre-approval takes a week": (
        5,
        [
            "Still waiting for my mortgage pre-approval after a week, the broker went elsewhere.",
            "Pre-approval took 8 days, the other bank answered in 24 hours.",
        ],
        ["Pre-approval came fast this time, thank you."],
    ),
    "Branch queue at account opening": (
        5,
        [
            "Queued 40 minutes in the branch on Saturday just to open an account.",
            "Walked out of the branch queue, nobody to open my account.",
        ],
        ["Booked a slot at the branch and opened my account in 15 minutes."],
    ),
    PAIN_MOMENT: (
        3,
        [
            "The identity check refused my foreign passport three times, I had to go to a branch.",
            "Online account opening failed on my passport scan, I am an expat and gave up.",
            "Your ID check does not accept non-EU passports. Please call me on +31 6 1234 5678.",
            "Passport verification failed again, identity check says document not recognised.",
            "Tried to open an account with my foreign passport, the identity check keeps failing.",
        ],
        [],
    ),
    "Card activation delay": (
        6,
        [
            "The card arrived but the PIN letter did not, I cannot use my card for days.",
            "Card activation is impossible without the PIN, waited a week for the letter.",
        ],
        ["Activated my new card in the app in a minute."],
    ),
    "Welcome call from a personal banker": (
        2,
        [],
        ["The welcome call from my personal banker was really helpful."],
    ),
    "App login lockout": (
        9,
        [
            "Locked out of the app again after the update, had to call to unlock it.",
            "App login lockout for the third time this month, one star.",
            "I entered my password wrong once and the app locked me out for a day.",
        ],
        ["Login with face recognition works great now."],
    ),
    "Overdraft fee surprise": (
        7,
        [
            "Charged an overdraft fee without any warning, the balance went negative by 3 euro.",
            "No warning before the overdraft fee, please send a notification first. Mail me at j.smith@example.com",
        ],
        [],
    ),
    "Instant spending insights": (
        3,
        ["The spending insights are just numbers, I do not know what to do with them."],
        ["Love the weekly spending insights, I cancelled two subscriptions."],
    ),
    "Disputed transaction call": (
        7,
        [
            "Called about a disputed card payment, transferred twice and waited 25 minutes.",
            "The dispute of an unknown transaction took three calls and nobody followed up.",
        ],
        ["The agent sorted my disputed payment in one call."],
    ),
    "Chat hands over to a human with context": (
        3,
        ["The chat bot handed me over and I had to explain everything again."],
        ["Chat passed me to a person who already knew my problem, brilliant."],
    ),
    "Renewal letter jargon": (
        3,
        [
            "The renewal letter is full of jargon, I still do not know my new rate.",
            "Could not understand the mortgage renewal letter at all.",
        ],
        [],
    ),
    "Loyalty rate offered before renewal": (
        2,
        [],
        ["Got a loyalty rate before my renewal, I stay."],
    ),
    "Birthday fee waiver": (1, [], ["Nice surprise: no fees in my birthday month."]),
    "Nothing to share after a good experience": (
        1,
        ["Happy with the bank but nothing to share."],
        [],
    ),
    "Review request at the wrong moment": (
        2,
        ["You asked me for a review right after my payment failed. Really?"],
        [],
    ),
    "Refer-a-friend bonus delay": (
        3,
        ["My friend joined three months ago and I am still waiting for the referral bonus."],
        [],
    ),
    "Friend joins in two taps from a shared link": (
        1,
        [],
        ["My friend joined from my link in two minutes."],
    ),
}
# Channel mix per kind of verbatim.
NEGATIVE_CHANNELS = ["complaint"] * 4 + ["call"] * 3 + ["app_review", "social", "email", "chat"]
POSITIVE_CHANNELS = ["survey"] * 4 + ["app_review", "branch", "social", "chat"]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(f"  feedback: {message}")


def _score(channel: str, negative: bool, rng: random.Random) -> tuple[str, str]:
    if channel == "survey":
        return str(rng.randint(0, 5) if negative else rng.randint(8, 10)), "nps"
    if channel in {"app_review", "chat"}:
        return str(rng.randint(1, 2) if negative else rng.randint(4, 5)), "csat"
    return "", ""


def seed(stdout=None, total: int = 3000) -> None:
    if FeedbackItem.objects.filter(source__in=SOURCES.values()).exists():
        return
    journey = Journey.objects.default()
    if journey is None:
        return
    places, suggester = Places.load(journey), Suggester.for_journey(journey)
    names = {name for (stage_id, name) in places.moments if stage_id is None}
    rng = random.Random(20261130)
    today = timezone.localdate()
    moments = [m for m in VERBATIMS if m.lower() in names]
    weights = [VERBATIMS[m][0] for m in moments]
    rows, now = [], timezone.now()
    for n in range(total):
        moment = rng.choices(moments, weights)[0]
        _, negatives, positives = VERBATIMS[moment]
        negative = bool(negatives) and (not positives or rng.random() < 0.75)
        text = rng.choice(negatives if negative else positives)
        channel = rng.choice(NEGATIVE_CHANNELS if negative else POSITIVE_CHANNELS)
        # The pain point is recent and growing: its items fall in the last 60 days.
        days_ago = int(rng.random() ** 2 * 60) if moment == PAIN_MOMENT else rng.randrange(DAYS)
        score, scale = _score(channel, negative, rng)
        placed = rng.random() < 0.9  # one in ten arrives without a place
        raw = {
            "source": SOURCES[channel],
            "external_id": f"demo-{n:05d}",
            "channel": channel,
            "text": text,
            "received_on": (today - timedelta(days=days_ago)).isoformat(),
            "segment": rng.choice(SEGMENTS),
            "customer_id": f"CUST-{rng.randrange(CUSTOMERS):05d}",
            "score": score,
            "score_scale": scale,
            "moment": moment if placed else "",
        }
        values, reasons = normalise(raw, places)
        if values is None:  # pragma: no cover - the demo rows are valid by construction
            raise ValueError(f"demo feedback row {n}: {reasons}")
        suggestion = suggester.suggest(values["text"]) if values["stage_id"] is None else None
        rows.append(
            FeedbackItem(**values, suggested_moment_id=suggestion, created_at=now, updated_at=now)
        )
    FeedbackItem.objects.bulk_create(rows, batch_size=1000)
    links = _link_to_ideas()
    _say(stdout, f"{len(rows)} items, {links} linked to demo ideas")


def _link_to_ideas() -> int:
    """Up to six items of each demo idea's moment become its evidence."""
    linker = User.objects.filter(email="manager@example.com").first()
    ideas = list(
        Idea.objects.filter(status__in=LIVE_STATUSES, moment__isnull=False).order_by("id")[:30]
    )
    links = []
    for idea in ideas:
        items = FeedbackItem.objects.filter(moment_id=idea.moment_id, is_negative=True).order_by(
            "-received_on", "id"
        )[:6]
        links += [FeedbackLink(item=item, idea=idea, linked_by=linker) for item in items]
    FeedbackLink.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)
