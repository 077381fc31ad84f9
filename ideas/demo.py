"""Demo ideas for a retail bank: 3 campaigns and 150 ideas on the default journey.

Deterministic (a fixed seed) and idempotent: nothing happens when the demo campaigns exist.
Statuses are spread so the other apps have material (screening ideas for review rounds,
approved/funded ideas with owners for budgets). The status history is written directly
(demo data is not the workflow) but is a consistent chain from draft to the final status.
Moments listed in ``journeys.demo.GAP_MOMENT_NAMES`` get no idea, so the map shows gaps.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Kind, User
from ideas.models import (
    Audience,
    Campaign,
    CaseCause,
    Comment,
    Evidence,
    EvidenceKind,
    Flag,
    Follow,
    Horizon,
    Idea,
    IdeaTransition,
    InnovationType,
    Moderation,
    ModerationCase,
    Origin,
    Status,
    Support,
    ValueConfidence,
)
from ideas.services import idea_recount
from journeys.models import Moment, Stage

try:
    from journeys.demo import GAP_MOMENT_NAMES
except ImportError:  # the journeys demo is optional for this module
    GAP_MOMENT_NAMES: list[str] = []

OPT = InnovationType.OPTIMIZATION
EXP = InnovationType.NEW_EXPERIENCE
INT = InnovationType.NEW_INTERACTION_MODEL
TEC = InnovationType.NEW_TECHNOLOGY
PRD = InnovationType.NEW_PRODUCT_OR_SERVICE

# (title, customer need with evidence, proposal, type, stage name, moment name or None)
TEMPLATES = [
    (
        "Show the all-in mortgage cost next to the rate",
        "Mortgage prospects compare us on comparison sites because our rate page shows the rate but not fees; 41% leave the rate page within a minute.",
        "Add a total-cost-of-credit line and a 'what you will really pay' slider on the rate page.",
        OPT,
        "Discover",
        "Comparing mortgage rates online",
    ),
    (
        "Savings goal calculator that books a chat",
        "Visitors who use the savings calculator want advice but have to find the booking page themselves; half drop off between the two.",
        "Offer an advisor slot right under the calculator result, pre-filled with the goal.",
        EXP,
        "Discover",
        "Friendly savings calculator",
    ),
    (
        "One-page fee summary for every account",
        "'Where are the fees?' is the second most searched phrase on our website and a top-5 reason for calls to the contact centre.",
        "A plain-language fee card per account, linked from every product page and the app.",
        OPT,
        "Consider",
        "Fee schedule hard to find",
    ),
    (
        "Same-day video advice for first-time buyers",
        "First-time buyers wait two weeks for a branch appointment; NPS after same-day video calls is 71 against 38 for branch visits.",
        "Route first-time buyer leads to a video-advice pool with a same-day promise.",
        INT,
        "Consider",
        "Advisor video call on the same day",
    ),
    (
        "24-hour mortgage pre-approval",
        "Median time to pre-approval is 6.5 days while two competitors promise 24 hours; brokers tell us we lose deals on speed.",
        "Automate income and credit checks with open-banking data and decide simple cases the same day.",
        TEC,
        "Evaluate",
        "Mortgage pre-approval takes a week",
    ),
    (
        "Book a branch slot instead of queueing",
        "Saturday queues at account opening average 27 minutes and 12% of people walk out before being served.",
        "Let people book a 15-minute slot online and get a text when the advisor is ready.",
        INT,
        "Purchase",
        "Branch queue at account opening",
    ),
    (
        "Activate the card in the app on arrival",
        "Cards arrive in five days but PIN letters in eight, causing about 2,300 calls a month from customers who cannot use their card.",
        "Show the PIN in the app after a biometric check and let customers activate by tapping the card.",
        TEC,
        "Onboard",
        "Card activation delay",
    ),
    (
        "Welcome call in week one for every new customer",
        "Customers called by a personal banker in their first week hold 1.4 more products after a year, but only 20% get that call today.",
        "Schedule the welcome call automatically and give bankers a short checklist.",
        EXP,
        "Onboard",
        "Welcome call from a personal banker",
    ),
    (
        "Unlock the app without calling us",
        "3.1% of app sessions end in a lockout; it is the top reason behind one-star app reviews and costs 9,000 calls a month.",
        "Self-service unlock with a selfie and a one-time code, with a human fallback in chat.",
        TEC,
        "Use",
        "App login lockout",
    ),
    (
        "Warn before an overdraft fee hits",
        "Fee complaints doubled after the tariff change; 60% of the verbatims say there was no warning.",
        "Push a notification when the balance is about to go negative, with a one-tap transfer from savings.",
        OPT,
        "Use",
        "Overdraft fee surprise",
    ),
    (
        "Weekly spending insights that suggest an action",
        "Weekly insight e-mails have a 48% open rate, but customers say they do not know what to do with the numbers.",
        "Add one suggested action per week (move money, cancel a subscription, set a budget).",
        EXP,
        "Use",
        "Instant spending insights",
    ),
    (
        "Dispute a card payment in the app",
        "A disputed-transaction call takes 19 minutes with two transfers on average and scores 2.1 out of 5 in satisfaction.",
        "Guided dispute flow in the app with photo upload and status tracking.",
        INT,
        "Get help",
        "Disputed transaction call",
    ),
    (
        "Hand chat transcripts to the phone agent",
        "When chat escalates to the phone, customers repeat everything; first-contact resolution is 78% with the transcript and 51% without.",
        "Pass the chat transcript and authentication to the agent's screen on transfer.",
        OPT,
        "Get help",
        "Chat hands over to a human with context",
    ),
    (
        "Offer the loyalty rate before renewal",
        "Retention is 88% when a loyalty rate is offered proactively and 71% when customers have to ask.",
        "Send a personal renewal offer 90 days ahead, accepted in two taps.",
        OPT,
        "Renew",
        "Loyalty rate offered before renewal",
    ),
    (
        "Birthday fee waiver as a surprise",
        "Unprompted mentions of small gestures appear in 4% of positive reviews; customers remember being treated as people.",
        "Waive the monthly fee in the birthday month and tell the customer in the app.",
        EXP,
        "Love",
        "Birthday fee waiver",
    ),
    (
        "Give promoters something worth sharing",
        "Only 22% of customers who score us 9 or 10 recommended us in the last year; they say they had nothing concrete to share.",
        "A shareable 'how I saved' card generated from the customer's own goals.",
        INT,
        "Recommend",
        "Nothing to share after a good experience",
    ),
    (
        "Referral link that pre-fills the form",
        "Referral links convert at 19% when the form is pre-filled, against 7% otherwise.",
        "Pre-fill the friend's application from the link and skip re-entering the referral code.",
        OPT,
        "Refer",
        "Friend joins in two taps from a shared link",
    ),
    (
        "Plain-language rate change letters",
        "Customers cannot find what changes for them in our rate-change letters; the lab test showed 35% could say their new rate.",
        "Rewrite the letters with the new rate and monthly impact in the first line.",
        OPT,
        "Renew",
        None,
    ),
    (
        "Small-business account opening without a branch visit",
        "Small-business owners must visit a branch twice to open an account; 30% of online starts are abandoned at the document step.",
        "Collect company documents online, verify them against the registry and open the account remotely.",
        PRD,
        "Purchase",
        None,
    ),
    (
        "Open-banking check of income for loans",
        "Personal-loan applicants upload payslips that we check by hand; it takes three days and many get rejected for unreadable scans.",
        "Read income from the customer's consented account data and decide instantly.",
        TEC,
        "Evaluate",
        None,
    ),
    (
        "Round-up savings for young customers",
        "Customers aged 18-25 say saving feels impossible; 62% have less than one month's income saved.",
        "Round card payments up to the next euro and move the difference to a savings pot.",
        PRD,
        "Use",
        None,
    ),
    (
        "Proactive message when a card is blocked abroad",
        "Travellers find their card blocked at checkout abroad and call from expensive roaming lines; 1,100 calls a month in summer.",
        "Send an in-app message with one-tap unblock the moment a foreign payment is declined.",
        OPT,
        "Use",
        None,
    ),
    (
        "Callback instead of waiting on hold",
        "Peak-time waits on the phone exceed 12 minutes and a quarter of callers hang up before being served.",
        "Offer a callback at a chosen time with the queue position shown in the app.",
        INT,
        "Get help",
        None,
    ),
    (
        "Explain why a loan was declined",
        "Declined applicants get a generic letter; 40% call us to ask why and many never return.",
        "Give the main reasons and what would change the decision, with a path to a smaller loan.",
        OPT,
        "Evaluate",
        None,
    ),
    (
        "Home-buying checklist from offer to keys",
        "First-time buyers tell us they feel lost between the accepted offer and completion; they call an average of six times.",
        "An in-app checklist with each step, documents due and who to contact.",
        EXP,
        "Purchase",
        None,
    ),
    (
        "Digital will and beneficiaries service",
        "Customers over 55 ask branch staff about wills and beneficiaries weekly; we have nothing to offer and refer them away.",
        "Partner with a notary network to offer a digital will and beneficiary nomination.",
        PRD,
        "Own",
        None,
    ),
    (
        "Voice banking for customers with sight loss",
        "Customers with sight loss cannot use the card reader for payments; the accessibility panel ranked it their top barrier.",
        "Voice-guided payments with a spoken one-time code through the app.",
        TEC,
        "Use",
        None,
    ),
    (
        "Financial health check once a year",
        "Customers who get an annual review are 30% less likely to leave, but advisors only reach the top 10% of customers.",
        "A guided self-service health check with a summary the advisor can pick up.",
        EXP,
        "Love",
        None,
    ),
    (
        "Subscription tracker with one-tap cancel",
        "Customers pay on average for 2.3 subscriptions they forgot about; 'cancel' is a frequent chat intent.",
        "List recurring card payments and let customers block a merchant from the app.",
        PRD,
        "Use",
        None,
    ),
    (
        "Invite satisfied customers to review at the right moment",
        "Our app store rating is 3.4 while survey satisfaction is 8/10; we only ask for reviews at random moments.",
        "Ask for a review after a successful, happy moment (a saved goal, a quick resolution).",
        OPT,
        "Review & share",
        None,
    ),
    (
        "Student account that grows into a first salary account",
        "Graduates switch banks when they get their first salary because our student account does not evolve.",
        "Convert the student account automatically with a welcome offer and salary-advance buffer.",
        PRD,
        "Renew",
        None,
    ),
    (
        "Instant replacement card in the wallet",
        "Customers whose card is lost or stolen wait five days without a way to pay.",
        "Push a virtual replacement card to the phone wallet immediately after blocking.",
        TEC,
        "Get help",
        None,
    ),
    (
        "Explain mortgage offer documents in a short video",
        "Mortgage offers run to 40 pages; half of the questions to advisors in the week after the offer are about the same five clauses.",
        "A personalised two-minute video explaining the customer's own offer.",
        INT,
        "Evaluate",
        None,
    ),
    (
        "Branch staff can fix app problems on the spot",
        "Customers visiting a branch with an app problem are sent to the phone line; branch staff have no tools to help.",
        "Give branch staff a support console with the customer's app status and a reset button.",
        OPT,
        "Get help",
        None,
    ),
    (
        "Shared savings pots for couples and flatmates",
        "Couples and flatmates save for shared goals in spreadsheets; 'joint goal' is a common request in app feedback.",
        "Savings pots that several customers can see and pay into, with their own rules.",
        PRD,
        "Use",
        None,
    ),
    (
        "Pay a friend with a phone number",
        "Customers still type IBANs to pay friends back; 8% of such transfers are returned for a wrong number.",
        "Pay contacts by phone number through the national instant-payment proxy.",
        TEC,
        "Use",
        None,
    ),
]

# Who says so, and what else we know (combined with the templates for variety).
SEGMENTS = [
    ("", "", ""),
    (
        "for small businesses",
        "Small-business owners raise it too:",
        "The business banking team logged the same complaint 140 times last quarter.",
    ),
    (
        "for customers over 65",
        "Older customers feel it most:",
        "The senior customer panel named it among their three biggest frustrations.",
    ),
    (
        "in the branch network",
        "Branch advisors see it daily:",
        "Twelve branch managers raised it in the last regional meeting.",
    ),
    (
        "for expats and newcomers",
        "Newcomers to the country struggle most:",
        "Expat customers mention it in 1 of 6 onboarding surveys.",
    ),
]

COMMENTS_PUBLIC = [
    "This happened to me last month, exactly as described.",
    "Yes please — I would use this every week.",
    "Our team hears this on the phone all the time.",
    "Could this also work for joint accounts?",
    "A competitor launched something similar; customers noticed.",
    "Please keep it simple: one screen, no extra passwords.",
    "I switched banks once over exactly this.",
]
COMMENTS_INTERNAL = [
    "Legal needs to review the consent wording before any pilot.",
    "IT estimate: two sprints if we reuse the notification service.",
    "Compliance flagged this for the next risk committee.",
    "Overlaps with the Q3 app roadmap; talk to the product owner.",
]

# (status, how many) — 150 ideas in total.
STATUS_MIX = [
    (Status.DRAFT, 10),
    (Status.SUBMITTED, 41),
    (Status.SCREENING, 33),
    (Status.SHORTLISTED, 14),
    (Status.APPROVED, 10),
    (Status.FUNDED, 7),
    (Status.IN_EXPERIMENT, 5),
    (Status.LAUNCHED, 4),
    (Status.PARKED, 14),
    (Status.REJECTED, 12),
]
CHAIN = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.SCREENING,
    Status.IN_REVIEW,
    Status.SHORTLISTED,
    Status.APPROVED,
    Status.FUNDED,
    Status.IN_EXPERIMENT,
    Status.LAUNCHED,
]
PARK_REASONS = [
    "Good need, but it depends on the core-banking upgrade planned for next year.",
    "Parked until the new app architecture is live.",
]
REJECT_REASONS = [
    "Duplicates an initiative already funded by the digital team.",
    "The evidence of need did not hold up in the customer interviews.",
    "Regulation does not allow this in our market.",
]
FIRST_SLUG = "everyday-banking"

# Evidence of every kind, in turn: (kind, summary, customers affected).
EVIDENCE = [
    (EvidenceKind.COMPLAINT, "Complaints logged by the contact centre on this moment.", 340),
    (EvidenceKind.SURVEY, "Relationship survey: a third name this as their top irritation.", 1200),
    (EvidenceKind.INTERVIEW, "Eight customer interviews: six described this unprompted.", 8),
    (EvidenceKind.ANALYTICS, "App analytics: 27% of sessions drop off at this step.", 5400),
    (EvidenceKind.REVIEW, "App store reviews of the last quarter mention it 41 times.", 41),
    (EvidenceKind.SOCIAL, "Social listening: a recurring theme in posts about the bank.", 90),
    (EvidenceKind.OBSERVATION, "Branch staff see it several times a day at the counter.", 25),
]
STORY = "It happened to me: I had to call twice and explain everything again."
KPIS = ["Net Promoter Score of new customers", "First-contact resolution", "Complaints per 1,000"]
PAST_SCREENING = set(CHAIN[CHAIN.index(Status.IN_REVIEW) :])


def _horizon(kind: str, i: int) -> str:
    """Mostly core for optimisations, adjacent or transformational for the new; a few
    submitters see it differently (which is what the confirmation at screening is for)."""
    if kind == OPT:
        return Horizon.ADJACENT if i % 7 == 0 else Horizon.CORE
    return Horizon.TRANSFORMATIONAL if i % 3 == 0 else Horizon.ADJACENT


def _path(status: str, i: int) -> list[tuple[str, str]]:
    """(to_status, reason) steps from creation to ``status``."""
    if status in CHAIN:
        steps = CHAIN[: CHAIN.index(status) + 1]
        reasons = {Status.SHORTLISTED: "Passed the panel's signal gate."}
        if status == Status.LAUNCHED:
            reasons[Status.LAUNCHED] = (
                "Pilot in 12 branches: complaints on this moment fell by a third."
            )
        return [(s, reasons.get(s, "")) for s in steps]
    if status == Status.PARKED:
        return [
            (Status.DRAFT, ""),
            (Status.SUBMITTED, ""),
            (Status.SCREENING, ""),
            (Status.PARKED, PARK_REASONS[i % 2]),
        ]
    # rejected
    steps = [(Status.DRAFT, ""), (Status.SUBMITTED, "")]
    if i % 2:
        steps.append((Status.SCREENING, ""))
    return [*steps, (Status.REJECTED, REJECT_REASONS[i % 3])]


MODERATION_SLUG = "branch-and-app-voices"
HELD_IDEAS = [
    (
        "Let me book a branch appointment from the app",
        "I waited 40 minutes in the branch last week just to ask about my savings. Other "
        "banks let you book a slot in their app.",
        "A booking screen in the app with the free slots of my branch.",
    ),
    (
        "A dark mode for the banking app",
        "I check my balance at night and the white screen hurts my eyes.",
        "Follow the phone's dark setting.",
    ),
]
HELD_COMMENT = "This damn form logged me out twice while I was typing. Fix it!"
FLAGGED_COMMENT = (
    "Cheap loans here!!! www.example.com/a www.example.com/b www.example.com/c www.example.com/d"
)


def seed_moderation(*, manager, customers: list, now) -> None:
    """A campaign that pre-moderates customers, two customer ideas held in it, a comment
    held for profanity and a flagged one, so the moderation queue has work in the demo.
    Idempotent on its own (a database seeded before moderation existed gets it too)."""
    if Campaign.objects.filter(slug=MODERATION_SLUG).exists():
        return
    campaign = Campaign.objects.create(
        title="Your voice: branches and the app",
        slug=MODERATION_SLUG,
        brief="What would make our branches and our app work better for you?",
        audience=Audience.CUSTOMERS,
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=70),
        premoderation=True,
        owner=manager,
    )
    # The demo customer's own idea is the first: signed in as them, the held state shows.
    customers = sorted(customers, key=lambda u: u.email != "customer@example.com")
    for k, (title, need, proposal) in enumerate(HELD_IDEAS):
        author = customers[k % len(customers)]
        created = now - timedelta(days=2 - k, hours=3)
        idea = Idea.objects.create(
            title=title,
            customer_need=need,
            proposal=proposal,
            innovation_type=InnovationType.OPTIMIZATION,
            campaign=campaign,
            author=author,
            origin=Origin.CUSTOMER,
            status=Status.SUBMITTED,
            moderation=Moderation.HELD,
            created_at=created,
        )
        IdeaTransition.objects.bulk_create(
            [
                IdeaTransition(idea=idea, to_status=Status.DRAFT, actor=author, at=created),
                IdeaTransition(
                    idea=idea,
                    from_status=Status.DRAFT,
                    to_status=Status.SUBMITTED,
                    actor=author,
                    at=created,
                ),
            ]
        )
        Follow.objects.create(idea=idea, user=author, created_at=created)
        ModerationCase.objects.create(idea=idea, cause=CaseCause.PREMODERATION, opened_at=created)
    # On the oldest live idea open to customers: a comment held for its language, and a
    # published one that a reader flagged as spam.
    target = (
        Idea.objects.filter(
            campaign__slug=FIRST_SLUG,
            status__in=[Status.SCREENING, Status.IN_REVIEW, Status.SHORTLISTED],
            is_anonymous=False,
        )
        .order_by("pk")
        .first()
    )
    if target is None:
        return
    held = Comment.objects.create(
        idea=target,
        author=customers[0],
        body=HELD_COMMENT,
        moderation=Moderation.HELD,
        created_at=now - timedelta(days=3),
    )
    ModerationCase.objects.create(
        idea=target,
        comment=held,
        cause=CaseCause.SUSPECT,
        detail="Profanity",
        opened_at=held.created_at,
    )
    spam = Comment.objects.create(
        idea=target,
        author=customers[-1],
        body=FLAGGED_COMMENT,
        created_at=now - timedelta(days=4),
    )
    case = ModerationCase.objects.create(
        idea=target,
        comment=spam,
        cause=CaseCause.FLAGS,
        flag_count=1,
        opened_at=now - timedelta(days=1),
    )
    Flag.objects.create(case=case, user=manager, reason="Advertising, not an opinion.")
    idea_recount(ids=[target.pk])


def _seed_moderation_for_existing() -> None:
    from accounts.demo import DEMO_USERS

    users = User.objects.filter(email__in=[row[0] for row in DEMO_USERS]).order_by("email")
    customers = [u for u in users if u.kind == Kind.CUSTOMER]
    manager = next((u for u in users if u.email == "manager@example.com"), None)
    if customers and manager is not None:
        seed_moderation(manager=manager, customers=customers, now=timezone.now())


def seed(stdout=None) -> None:
    if Campaign.objects.filter(slug=FIRST_SLUG).exists():
        _seed_moderation_for_existing()
        return
    from accounts.demo import DEMO_USERS

    users = {u.email: u for u in User.objects.filter(email__in=[row[0] for row in DEMO_USERS])}
    staff = [u for u in users.values() if u.kind == Kind.STAFF and not u.is_superuser]
    customers = [u for u in users.values() if u.kind == Kind.CUSTOMER]
    if not staff or not customers:
        return
    staff.sort(key=lambda u: u.email)
    customers.sort(key=lambda u: u.email)
    manager = users.get("manager@example.com", staff[0])
    rng = random.Random(20261127)
    now = timezone.now()

    campaigns = [
        Campaign.objects.create(
            title="Make everyday banking effortless",
            slug=FIRST_SLUG,
            brief="Where does everyday banking waste your time or surprise you — and what would make it effortless?",
            audience=Audience.EVERYONE,
            opens_at=now - timedelta(days=60),
            closes_at=now + timedelta(days=60),
            owner=manager,
        ),
        Campaign.objects.create(
            title="Fix what frustrates customers in service",
            slug="service-frustrations",
            brief="Which service moments make customers call us twice, and how would you fix them?",
            audience=Audience.EMPLOYEES,
            opens_at=now - timedelta(days=45),
            closes_at=now + timedelta(days=45),
            owner=manager,
        ),
        Campaign.objects.create(
            title="Mortgage journey 2025",
            slug="mortgage-journey-2025",
            brief="How can buying a home with us become the easiest part of buying a home?",
            audience=Audience.EVERYONE,
            opens_at=now - timedelta(days=330),
            closes_at=now - timedelta(days=150),
            owner=manager,
        ),
    ]
    stages = {s.name: s for s in Stage.objects.filter(journey__is_default=True)}
    gaps = set(GAP_MOMENT_NAMES)
    moments = {
        m.name: m
        for m in Moment.objects.filter(stage__journey__is_default=True).select_related("stage")
        if m.name not in gaps
    }
    statuses = [status for status, n in STATUS_MIX for _ in range(n)]
    rng.shuffle(statuses)

    ideas: list[Idea] = []
    plans: list[list[tuple[str, str]]] = []
    for i, status in enumerate(statuses):
        title, need, proposal, kind, stage_name, moment_name = TEMPLATES[i % len(TEMPLATES)]
        label, who, evidence = SEGMENTS[(i // len(TEMPLATES)) % len(SEGMENTS)]
        if label:
            title = f"{title} {label}"
            need = f"{who} {need[0].lower()}{need[1:]} {evidence}"
        slot = i % 5
        campaign = {0: campaigns[0], 1: campaigns[0], 2: campaigns[1], 3: campaigns[2]}.get(slot)
        by_customer = (
            campaign is not None and campaign.audience != Audience.EMPLOYEES and i % 3 == 0
        )
        author = customers[i % len(customers)] if by_customer else staff[i % len(staff)]
        if campaign is not None and campaign.closes_at and campaign.closes_at < now:
            created = campaign.opens_at + timedelta(days=1 + (i * 7) % 170)
        elif campaign is not None:
            created = now - timedelta(days=2 + (i * 5) % 40, hours=i % 11)
        else:
            created = now - timedelta(days=3 + (i * 11) % 200, hours=i % 7)
        moment = moments.get(moment_name) if moment_name and i % 4 != 3 else None
        stage = moment.stage if moment else stages.get(stage_name)
        if stage is None and stage_name == "Own":
            stage = stages.get("Use")
        if i % 13 == 12:
            stage, moment = None, None  # some ideas are not placed on the journey
        advanced = (
            CHAIN.index(status) >= CHAIN.index(Status.SHORTLISTED) if status in CHAIN else False
        )
        owned = status in {Status.APPROVED, Status.FUNDED, Status.IN_EXPERIMENT, Status.LAUNCHED}
        path = _path(status, i)
        # Confirmed at screening: every idea that went past it, and half of those still there.
        confirmed = status in PAST_SCREENING or (status == Status.SCREENING and i % 2 == 0)
        # Expected value at approval: money for most, a named KPI for every fifth.
        non_financial = owned and i % 5 == 0
        money = Decimal(60000 + (i * 7727) % 25 * 10000)
        ideas.append(
            Idea(
                title=title[:160],
                customer_need=need,
                proposal=proposal,
                innovation_type=kind,
                horizon=_horizon(kind, i),
                type_confirmed=confirmed,
                horizon_confirmed=confirmed,
                stage=stage,
                moment=moment,
                campaign=campaign,
                author=author,
                is_anonymous=i % 9 == 4,
                origin=Origin.CUSTOMER if author.kind == Kind.CUSTOMER else Origin.EMPLOYEE,
                status=status,
                owner=staff[(i * 3) % len(staff)] if owned else None,
                estimated_cost=Decimal(15000 + (i * 7919) % 40 * 5000) if advanced else None,
                expected_value=Decimal(40000 + (i * 104729) % 30 * 10000) if advanced else None,
                expected_revenue_generated=money if owned and i % 2 and not non_financial else None,
                expected_revenue_protected=(
                    money / 2 if owned and not i % 2 and not non_financial else None
                ),
                value_confidence=(
                    [ValueConfidence.LOW, ValueConfidence.MEDIUM, ValueConfidence.HIGH][i % 3]
                    if owned
                    else ""
                ),
                non_financial=non_financial,
                kpi=KPIS[i % len(KPIS)] if non_financial else "",
                outcome_note=path[-1][1] if status == Status.LAUNCHED else "",
                created_at=created,
            )
        )
        plans.append(path)
    # Both supported databases return the new primary keys from bulk_create.
    Idea.objects.bulk_create(ideas)

    transitions, follows, supports, comments, evidence = [], [], [], [], []
    for i, (idea, path) in enumerate(zip(ideas, plans, strict=True)):
        # Evidence on every idea that reached screening (it needs one to enter review), and
        # on some that are only submitted; kinds in turn, so every kind appears.
        reached_screening = any(to == Status.SCREENING for to, _ in path)
        if reached_screening or (idea.status == Status.SUBMITTED and i % 3 == 0):
            for k in range(1 + i % 3):
                kind, summary, affected = EVIDENCE[(i + k) % len(EVIDENCE)]
                evidence.append(
                    Evidence(
                        idea=idea,
                        kind=kind,
                        summary=summary,
                        customers_affected=affected + (i * 13) % 50,
                        observed_on=(idea.created_at - timedelta(days=3 + 5 * k)).date(),
                        added_by=idea.author if idea.author.kind == Kind.STAFF else manager,
                        created_at=idea.created_at,
                    )
                )
            open_to_customers = (
                idea.campaign is not None and idea.campaign.audience != Audience.EMPLOYEES
            )
            if customers and open_to_customers and i % 4 == 0:
                evidence.append(
                    Evidence(
                        idea=idea,
                        kind=EvidenceKind.OTHER,
                        summary=STORY,
                        customers_affected=1,
                        added_by=customers[i % len(customers)],
                        created_at=idea.created_at,
                    )
                )
        span = max(now - idea.created_at, timedelta(hours=len(path)))
        step = span / (len(path) + 1)
        previous = ""
        for k, (to, reason) in enumerate(path):
            actor = idea.author if to in {Status.DRAFT, Status.SUBMITTED} else manager
            transitions.append(
                IdeaTransition(
                    idea=idea,
                    from_status=previous,
                    to_status=to,
                    actor=actor,
                    reason=reason,
                    at=idea.created_at + step * k,
                )
            )
            previous = to
        follows.append(Follow(idea=idea, user=idea.author, created_at=idea.created_at))
        if idea.owner_id and idea.owner_id != idea.author_id:
            follows.append(Follow(idea=idea, user=idea.owner, created_at=idea.created_at))
        if idea.status == Status.DRAFT:
            continue
        customers_may = idea.campaign is not None and idea.campaign.audience != Audience.EMPLOYEES
        pool = [u for u in staff + (customers if customers_may else []) if u.pk != idea.author_id]
        rng.shuffle(pool)
        for supporter in pool[: (i * 7) % (len(pool) + 1)]:
            supports.append(Support(idea=idea, user=supporter, created_at=idea.created_at + step))
        if i % 3 == 0:
            for k in range(1 + i % 3):
                commenter = pool[k % len(pool)] if pool else idea.author
                comments.append(
                    Comment(
                        idea=idea,
                        author=commenter,
                        body=COMMENTS_PUBLIC[(i + k) % len(COMMENTS_PUBLIC)],
                        created_at=idea.created_at + step * (k + 1),
                    )
                )
        if i % 4 == 1:
            comments.append(
                Comment(
                    idea=idea,
                    author=staff[(i + 1) % len(staff)],
                    body=COMMENTS_INTERNAL[i % len(COMMENTS_INTERNAL)],
                    is_internal=True,
                    created_at=idea.created_at + step,
                )
            )
    IdeaTransition.objects.bulk_create(transitions)
    Follow.objects.bulk_create(follows, ignore_conflicts=True)
    Support.objects.bulk_create(supports, ignore_conflicts=True)
    Comment.objects.bulk_create(comments)
    Evidence.objects.bulk_create(evidence)
    idea_recount(ids=[idea.pk for idea in ideas])
    seed_moderation(manager=manager, customers=customers, now=now)
    if stdout is not None:
        stdout.write(
            f"ideas: {len(campaigns)} campaigns, {len(ideas)} ideas, {len(supports)} supports, "
            f"{len(comments)} comments, {len(evidence)} pieces of evidence"
        )
