#!/usr/bin/env python
"""Generate the benchmark data set on PostgreSQL, deterministically.

    .venv/bin/python bench/generate.py \
        --database-url postgres://postgres@127.0.0.1:5432/juncture_bench [--scale 1.0] [--seed 42]

Drops and re-creates the database, runs ``migrate``, then loads with COPY (psycopg 3
``cursor.copy``, rows streamed from generators so memory stays flat) at scale 1.0:
100,000 ideas, ~2,000 users of both kinds, 1,000,000 supports, 100,000 comments, 50 panels,
200 review rounds with ~2,000,000 scores (round 1: 10,000 ideas x 7 reviewers x 4 signals =
280,000 scores), 20,000 allocations, 100,000 spends and 2 years of daily budget snapshots.

The same ``--seed`` and ``--today`` give the same rows (timestamps are relative to
``--today``, which defaults to today's date so the budget dashboard shows a current year).

During the load the session runs with ``session_replication_role = replica``: no row
triggers fire, neither the foreign-key checks nor the search-vector trigger of
``ideas/migrations/0004_search_postgres.py`` (one trigger call per COPY row is slow). The
generator assigns every id itself, fills ``search_vector`` with one UPDATE using the
trigger's own expression, computes every counter in SQL from the rows (the maintained
realised-value totals, the rounds' progress and the portfolio's read model too, set-based:
``outcomes.services.IDEA_VALUE_FILL_SQL``, ``scoring.progress.PROGRESS_FILL_SQL`` and
``insights.readmodel.rebuild_sql``, which ``manage.py rebuild_portfolio`` runs; the journey
map's and the dashboard's counters with the code of ``rebuild_stage_counts`` and
``rebuild_committed_money``), checks the main
foreign keys with anti-joins, aggregates every round with the real ``scoring.aggregation``
code, and ends with ``VACUUM ANALYZE``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# --- Vocabulary: realistic CX idea text, so full-text and trigram search work on real words --

SEGMENTS = [
    "first-time buyers",
    "returning customers",
    "small business owners",
    "families with young children",
    "elderly customers",
    "frequent travellers",
    "students",
    "premium members",
    "customers abroad",
    "new subscribers",
    "long-time subscribers",
    "customers with disabilities",
]
THINGS = [
    "delivery updates",
    "refund tracking",
    "order status page",
    "onboarding checklist",
    "billing statement",
    "loyalty rewards",
    "chat support",
    "self-service returns",
    "product comparison",
    "installation guide",
    "appointment booking",
    "renewal reminder",
    "referral programme",
    "review request",
    "password reset",
    "invoice download",
    "warranty claim",
    "store pickup",
    "price alerts",
    "mobile checkout",
]
ADJECTIVES = [
    "Proactive",
    "Simpler",
    "Faster",
    "Personal",
    "Transparent",
    "One-click",
    "Guided",
    "Smarter",
    "Predictive",
    "Friendlier",
    "Instant",
    "Unified",
]
PAINS = [
    "wait too long for an answer",
    "cannot find the status of their order",
    "are charged twice by mistake",
    "give up during checkout",
    "do not understand the invoice",
    "miss the renewal date",
    "have to repeat their story to every agent",
    "receive damaged parcels",
    "struggle to set up the product",
    "feel ignored after the purchase",
    "cannot reach anyone on weekends",
    "lose their loyalty points",
]
CONTEXTS = [
    "after placing an order",
    "during the first week",
    "when a delivery is late",
    "at renewal time",
    "when they move house",
    "on their phone",
    "in the store",
    "when asking for a refund",
]
EVIDENCE = [
    "Complaints about this doubled last quarter.",
    "It is the top reason for calls to the contact centre.",
    "Net promoter verbatims mention it every week.",
    "Churn interviews name it as a deciding factor.",
    "Web analytics show a large drop-off at this step.",
    "Field sales hear it at every second visit.",
]
ACTIONS = ["Offer", "Send", "Build", "Pilot", "Introduce", "Automate", "Redesign", "Bundle"]
CHANNELS = [
    "by text message",
    "in the app",
    "by e-mail",
    "on the website",
    "through the contact centre",
    "in every store",
]
BENEFITS = [
    "customers feel in control",
    "fewer people call us",
    "customers come back",
    "we stand out from competitors",
    "customers recommend us",
    "refunds cost less",
]
MOMENT_NAMES = [
    "Unclear pricing",
    "Slow first reply",
    "Surprise fee",
    "Hard-to-find contact",
    "Smooth handover",
    "Helpful reminder",
    "Broken promise",
    "Personal thank-you",
    "Long wait on the phone",
    "Easy upgrade",
]
FUNCTIONS = ["marketing", "sales", "product", "service", "it", "finance", "operations", "other"]
STATUS_WEIGHTS = [
    ("draft", 3),
    ("submitted", 28),
    ("screening", 14),
    ("in_review", 12),
    ("shortlisted", 6),
    ("approved", 4),
    ("funded", 4),
    ("in_experiment", 3),
    ("launched", 4),
    ("parked", 8),
    ("rejected", 12),
    ("merged", 2),
]
FORWARD = [
    "draft",
    "submitted",
    "screening",
    "in_review",
    "shortlisted",
    "approved",
    "funded",
    "in_experiment",
    "launched",
]
TYPES = [
    ("optimization", 45),
    ("new_experience", 16),
    ("new_interaction_model", 12),
    ("new_technology", 14),
    ("new_product_or_service", 13),
]
FUNDABLE = {"approved", "funded", "in_experiment", "launched"}
OWNED = FUNDABLE | {"shortlisted"}


# --- Output helpers --------------------------------------------------------------------------


@contextmanager
def timed(label: str, timings: list):
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    timings.append((label, elapsed))
    print(f"  {label:<44} {elapsed:8.1f} s", flush=True)


def ts(value: datetime) -> str:
    return value.isoformat()


def line(*values) -> str:
    """One COPY text-format line. Values never contain tabs, newlines or backslashes."""
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif v is True:
            out.append("t")
        elif v is False:
            out.append("f")
        else:
            out.append(str(v))
    return "\t".join(out)


def copy(cursor, table: str, columns: Iterable[str], lines: Iterator[str]) -> int:
    """Stream ``lines`` into ``table`` with COPY, in chunks of about 1 MB."""
    count = 0
    chunk: list[str] = []
    size = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for text in lines:
            chunk.append(text)
            size += len(text)
            count += 1
            if size > 1_000_000:
                cp.write("\n".join(chunk) + "\n")
                chunk.clear()
                size = 0
        if chunk:
            cp.write("\n".join(chunk) + "\n")
    return count


def weighted(rng: random.Random, pairs: list[tuple[str, int]]):
    values = [v for v, _ in pairs]
    cum = []
    total = 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return lambda: rng.choices(values, cum_weights=cum)[0]


# --- Database (re)creation -------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing an unusual database name: {name!r}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- The generator ---------------------------------------------------------------------------


class Generator:
    def __init__(self, *, scale: float, seed: int, today: date):
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        self.start = self.now - timedelta(days=730)
        self.n_ideas = max(500, round(100_000 * scale))
        self.n_users = max(120, round(2_000 * scale))
        self.n_supports = round(1_000_000 * scale)
        self.n_comments = round(100_000 * scale)
        self.n_panels = max(3, round(50 * scale))
        self.n_rounds = max(3, round(200 * scale))
        self.big_round_ideas = max(50, round(10_000 * scale))
        self.n_scores = max(self.big_round_ideas * 28 * 2, round(2_000_000 * scale))
        self.n_campaigns = max(6, round(150 * scale))
        self.n_allocations = max(20, round(20_000 * scale))
        self.n_spends = max(100, round(100_000 * scale))
        self.counts: dict[str, int] = {}

    # Users: 1 manager (the bench's), 1 executive, 3 more managers, then staff and customers.
    def users(self, cursor, password: str) -> None:
        rng = self.rng
        self.kind = [""] * (self.n_users + 1)
        self.function = [""] * (self.n_users + 1)
        n_staff = round(self.n_users * 0.6)
        rows = []
        for uid in range(1, self.n_users + 1):
            if uid == 1:
                email, name, kind, func = (
                    "bench-manager@example.com",
                    "Bench Manager",
                    "staff",
                    "marketing",
                )
            elif uid == 2:
                email, name, kind, func = (
                    "bench-executive@example.com",
                    "Bench Executive",
                    "staff",
                    "finance",
                )
            elif uid <= n_staff:
                kind = "staff"
                func = FUNCTIONS[uid % len(FUNCTIONS)]
                email, name = f"staff{uid}@bench.example.com", f"Staff {uid}"
            else:
                kind, func = "customer", ""
                email, name = f"customer{uid}@bench.example.com", f"Customer {uid}"
            self.kind[uid] = kind
            self.function[uid] = func
            joined = self.start - timedelta(days=rng.randint(0, 400))
            rows.append(
                line(uid, password, None, False, False, True, ts(joined), email, name, kind, func)
            )
        self.staff = [u for u in range(1, self.n_users + 1) if self.kind[u] == "staff"]
        self.customers = [u for u in range(1, self.n_users + 1) if self.kind[u] == "customer"]
        self.managers = [1, 3, 4, 5]
        cols = ["id", "password", "last_login", "is_superuser", "is_staff", "is_active"]
        cols += ["date_joined", "email", "display_name", "kind", "function"]
        self.counts["users"] = copy(cursor, "accounts_user", cols, iter(rows))
        cursor.execute("SELECT id, name FROM auth_group")
        groups = {name: gid for gid, name in cursor.fetchall()}
        links = [line(u, groups["Innovation managers"]) for u in self.managers]
        links.append(line(2, groups["Executives"]))
        copy(cursor, "accounts_user_groups", ["user_id", "group_id"], iter(links))

    def journey(self, cursor) -> None:
        rng = self.rng
        cursor.execute(
            "SELECT s.id FROM journeys_stage s JOIN journeys_journey j ON j.id = s.journey_id "
            "WHERE j.is_default ORDER BY s.order"
        )
        self.stages = [r[0] for r in cursor.fetchall()]
        self.moments: dict[int, list[int]] = {}
        rows = []
        mid = 0
        for stage in self.stages:
            for k in range(5):
                mid += 1
                effect = "destroys_value" if k % 2 == 0 else "creates_value"
                name = f"{MOMENT_NAMES[(stage + k) % len(MOMENT_NAMES)]} {stage}.{k + 1}"
                desc = f"{name}: {rng.choice(PAINS)} {rng.choice(CONTEXTS)}."
                rows.append(
                    line(mid, name, desc, effect, rng.randint(1, 5), rng.choice(EVIDENCE), stage)
                )
                self.moments.setdefault(stage, []).append(mid)
        cols = ["id", "name", "description", "effect", "severity", "evidence", "stage_id"]
        self.counts["moments"] = copy(cursor, "journeys_moment", cols, iter(rows))

    def campaigns(self, cursor) -> None:
        rng = self.rng
        self.campaign_opens: list[datetime] = []
        self.campaign_audience: list[str] = []
        rows, targets = [], []
        span = (self.now - self.start).days
        for cid in range(1, self.n_campaigns + 1):
            opens = self.start + timedelta(days=span * (cid - 1) / self.n_campaigns)
            closes = opens + timedelta(days=rng.randint(45, 120))
            if closes > self.now + timedelta(days=60):
                closes = None
            audience = rng.choices(["everyone", "employees", "customers"], [5, 3, 2])[0]
            self.campaign_opens.append(opens)
            self.campaign_audience.append(audience)
            title = f"{rng.choice(ADJECTIVES)} {rng.choice(THINGS)} ({cid})"
            brief = f"How might we help {rng.choice(SEGMENTS)} who {rng.choice(PAINS)}?"
            rows.append(
                line(
                    cid,
                    title,
                    f"bench-campaign-{cid}",
                    brief,
                    audience,
                    ts(opens),
                    ts(closes) if closes else None,
                    ts(opens),
                    rng.choice(self.managers),
                )
            )
            for stage in rng.sample(self.stages, 2):
                targets.append(line(cid, stage))
        cols = ["id", "title", "slug", "brief", "audience", "opens_at", "closes_at", "created_at"]
        cols += ["owner_id"]
        self.counts["campaigns"] = copy(cursor, "ideas_campaign", cols, iter(rows))
        copy(cursor, "ideas_campaign_target_stages", ["campaign_id", "stage_id"], iter(targets))

    def ideas(self, cursor) -> None:
        rng = self.rng
        n = self.n_ideas
        status_of = weighted(rng, STATUS_WEIGHTS)
        type_of = weighted(rng, TYPES)
        horizon_of = weighted(rng, [("core", 7), ("adjacent", 2), ("transformational", 1)])
        span = (self.now - self.start).total_seconds()
        # Per idea (index = id): what later tables need, in compact lists.
        self.author = [0] * (n + 1)
        self.status = [""] * (n + 1)
        self.created = [self.now] * (n + 1)
        self.customer_visible = [False] * (n + 1)
        self.itype = [""] * (n + 1)
        self.quality = [0.0] * (n + 1)
        offsets = sorted(rng.random() * span for _ in range(n))
        cursor_campaign = 0

        def rows() -> Iterator[str]:
            nonlocal cursor_campaign
            for iid in range(1, n + 1):
                created = self.start + timedelta(seconds=offsets[iid - 1])
                self.created[iid] = created
                author = rng.choice(self.staff if rng.random() < 0.62 else self.customers)
                kind = self.kind[author]
                status = status_of()
                merged_into = None
                if status == "merged":
                    if iid > 1:
                        merged_into = rng.randint(1, iid - 1)
                    else:
                        status = "submitted"
                # The campaign: one of the three latest opened before the idea, if its
                # audience admits the author; else the open idea box (no campaign).
                while (
                    cursor_campaign + 1 < len(self.campaign_opens)
                    and self.campaign_opens[cursor_campaign + 1] <= created
                ):
                    cursor_campaign += 1
                campaign = None
                if rng.random() < 0.72:
                    cid = max(0, cursor_campaign - rng.randint(0, 2))
                    audience = self.campaign_audience[cid]
                    wanted = "customers" if kind == "customer" else "employees"
                    if audience in ("everyone", wanted):
                        campaign = cid + 1
                visible = campaign is not None and self.campaign_audience[campaign - 1] in (
                    "everyone",
                    "customers",
                )
                stage = rng.choice(self.stages) if rng.random() < 0.85 else None
                moment = rng.choice(self.moments[stage]) if stage and rng.random() < 0.6 else None
                itype = type_of()
                owner = rng.choice(self.staff) if status in OWNED else None
                cost = f"{rng.randint(5, 500) * 1000}.00" if rng.random() < 0.7 else None
                value = f"{rng.randint(10, 2000) * 1000}.00" if rng.random() < 0.6 else None
                segment, thing = rng.choice(SEGMENTS), rng.choice(THINGS)
                title = f"{rng.choice(ADJECTIVES)} {thing} for {segment}"
                need = (
                    f"{segment.capitalize()} {rng.choice(PAINS)} {rng.choice(CONTEXTS)}. "
                    f"{rng.choice(EVIDENCE)}"
                )
                proposal = (
                    f"{rng.choice(ACTIONS)} {thing} {rng.choice(CHANNELS)}, "
                    f"so that {rng.choice(BENEFITS)}."
                )
                outcome = "Launched; the pilot met its goal." if status == "launched" else ""
                self.author[iid] = author
                self.status[iid] = status
                self.customer_visible[iid] = visible
                self.itype[iid] = itype
                self.quality[iid] = rng.gauss(3.2, 0.7)
                # The value case made at approval (owned ideas), and the horizon.
                owned = status in OWNED
                gen_value = (
                    f"{rng.randint(10, 500) * 1000}.00" if owned and rng.random() < 0.7 else None
                )
                prot_value = (
                    f"{rng.randint(10, 300) * 1000}.00" if owned and rng.random() < 0.5 else None
                )
                horizon = horizon_of()
                updated = min(self.now, created + timedelta(days=rng.randint(0, 60)))
                yield line(
                    iid,
                    title,
                    need,
                    proposal,
                    itype,
                    rng.random() < 0.08,
                    "customer" if kind == "customer" else "employee",
                    status,
                    cost,
                    value,
                    outcome,
                    0,
                    0,
                    0,
                    None,
                    ts(created),
                    ts(updated),
                    author,
                    campaign,
                    merged_into,
                    moment,
                    owner,
                    stage,
                    horizon,
                    owned,
                    owned,
                    gen_value,
                    prot_value,
                    rng.choice(("low", "medium", "high")) if owned else "",
                    False,
                    "",
                    0,
                    0,
                )

        cols = [
            "id", "title", "customer_need", "proposal", "innovation_type", "is_anonymous",
            "origin", "status", "estimated_cost", "expected_value", "outcome_note",
            "supports_employees", "supports_customers", "comment_count", "search_vector",
            "created_at", "updated_at", "author_id", "campaign_id", "merged_into_id",
            "moment_id", "owner_id", "stage_id", "horizon", "type_confirmed",
            "horizon_confirmed", "expected_revenue_generated", "expected_revenue_protected",
            "value_confidence", "non_financial", "kpi", "evidence_count", "customers_affected",
        ]  # fmt: skip
        self.counts["ideas"] = copy(cursor, "ideas_idea", cols, rows())

    def outcomes(self, cursor) -> None:
        """An experiment for every idea in experiment (pending, one measurement), launched
        (decided *scale*, attainment following the idea's quality loosely, three monthly
        value records) and for a third of the parked ideas (decided *stop* or *iterate*)."""
        rng = self.rng
        experiments, measurements, records = [], [], []
        eid = mid = vid = 0
        manager = self.staff[0]
        for iid in range(1, self.n_ideas + 1):
            status = self.status[iid]
            if status not in ("in_experiment", "launched") and not (
                status == "parked" and rng.random() < 0.33
            ):
                continue
            eid += 1
            starts = (self.created[iid] + timedelta(days=rng.randint(30, 120))).date()
            starts = min(starts, self.today - timedelta(days=70))
            reached = (self.quality[iid] - 2.2) / 1.6 + rng.gauss(0, 0.35)
            if status == "launched":
                decision, reached = "scale", max(reached, 0.9)
            elif status == "parked":
                decision = "stop" if reached < 0.3 else "iterate"
                reached = min(reached, 0.85)
            else:
                decision = "pending"
            decided = starts + timedelta(weeks=9)
            experiments.append(
                line(
                    eid, iid, "Pilot hypothesis.", "pilot", "Completion", "%", "increase",
                    "40.0000", "60.0000", starts, decided, decision, "",
                    manager if decision != "pending" else None,
                    ts(datetime.combine(decided, datetime.min.time(), tzinfo=UTC))
                    if decision != "pending" else None,
                    manager, ts(datetime.combine(starts, datetime.min.time(), tzinfo=UTC)),
                )
            )  # fmt: skip
            mid += 1
            measured = starts + timedelta(weeks=8)
            measurements.append(
                line(
                    mid, eid, measured, f"{40 + 20 * reached:.4f}", "", manager,
                    ts(datetime.combine(measured, datetime.min.time(), tzinfo=UTC)),
                )
            )  # fmt: skip
            if status == "launched":
                per_month = rng.randint(2, 40) * 500
                for k in range(3):
                    first = date(decided.year, decided.month, 1) + timedelta(days=32 * (k + 1))
                    first = first.replace(day=1)
                    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                    vid += 1
                    records.append(
                        line(
                            vid, iid, first, last, f"{per_month}.00", f"{per_month // 2}.00",
                            "", manager, ts(datetime.combine(last, datetime.min.time(), tzinfo=UTC)),
                        )
                    )  # fmt: skip
        self.counts["experiments"] = copy(
            cursor,
            "outcomes_experiment",
            [
                "id", "idea_id", "hypothesis", "segment", "metric", "unit", "direction",
                "baseline", "target", "starts_on", "ends_on", "decision", "decision_note",
                "decided_by_id", "decided_at", "created_by_id", "created_at",
            ],
            iter(experiments),
        )  # fmt: skip
        self.counts["measurements"] = copy(
            cursor,
            "outcomes_measurement",
            ["id", "experiment_id", "measured_on", "value", "note", "recorded_by_id", "created_at"],
            iter(measurements),
        )
        self.counts["value records"] = copy(
            cursor,
            "outcomes_valuerecord",
            [
                "id", "idea_id", "period_start", "period_end", "revenue_generated",
                "revenue_protected", "note", "recorded_by_id", "created_at",
            ],
            iter(records),
        )  # fmt: skip

    def transitions(self, cursor) -> None:
        rng = self.rng

        def rows() -> Iterator[str]:
            tid = 0
            for iid in range(1, self.n_ideas + 1):
                status = self.status[iid]
                if status in FORWARD:
                    path = FORWARD[: FORWARD.index(status) + 1]
                elif status == "merged":
                    path = ["draft", "submitted", "merged"]
                else:
                    path = ["draft", "submitted", "screening", status]
                at = self.created[iid]
                for a, b in itertools.pairwise(path):
                    tid += 1
                    at = min(self.now, at + timedelta(hours=rng.randint(1, 24 * 20)))
                    actor = self.author[iid] if a == "draft" else rng.choice(self.managers)
                    reason = "Not a fit for this year." if b in ("parked", "rejected") else ""
                    yield line(tid, a, b, reason, "", False, ts(at), actor, iid)

        cols = ["id", "from_status", "to_status", "reason", "internal_note", "override", "at"]
        cols += ["actor_id", "idea_id"]
        self.counts["transitions"] = copy(cursor, "ideas_ideatransition", cols, rows())

    def _engageable(self) -> list[int]:
        return [i for i in range(1, self.n_ideas + 1) if self.status[i] not in ("draft", "merged")]

    def supports(self, cursor) -> None:
        """Exactly ``n_supports`` unique (idea, user) rows, heavy-tailed per idea; nobody
        supports their own idea; customers only ideas they may see."""
        rng = self.rng
        ideas = self._engageable()
        weights = [rng.paretovariate(1.6) for _ in ideas]
        total = sum(weights)
        cap_all, cap_staff = self.n_users - 1, len(self.staff) - 1
        caps = [cap_all if self.customer_visible[i] else cap_staff for i in ideas]
        per = [min(c, int(w / total * self.n_supports)) for w, c in zip(weights, caps, strict=True)]
        missing = self.n_supports - sum(per)
        while missing > 0:
            k = rng.randrange(len(ideas))
            if per[k] < caps[k]:
                per[k] += 1
                missing -= 1
        everyone = list(range(1, self.n_users + 1))

        def rows() -> Iterator[str]:
            sid = 0
            for iid, k in zip(ideas, per, strict=True):
                if not k:
                    continue
                pool = everyone if self.customer_visible[iid] else self.staff
                chosen = [u for u in rng.sample(pool, k + 1) if u != self.author[iid]][:k]
                base = self.created[iid]
                room = max(1, int((self.now - base).total_seconds()))
                for user in chosen:
                    sid += 1
                    at = base + timedelta(seconds=rng.randrange(room))
                    yield line(sid, ts(at), iid, user)

        self.counts["supports"] = copy(
            cursor, "ideas_support", ["id", "created_at", "idea_id", "user_id"], rows()
        )

    def comments(self, cursor) -> None:
        rng = self.rng
        ideas = self._engageable()
        weights = [rng.paretovariate(1.8) for _ in ideas]
        picks = rng.choices(ideas, weights=weights, k=self.n_comments)

        def rows() -> Iterator[str]:
            for cid, iid in enumerate(picks, start=1):
                author = rng.choice(
                    self.customers
                    if self.customer_visible[iid] and rng.random() < 0.3
                    else self.staff
                )
                internal = self.kind[author] == "staff" and rng.random() < 0.15
                hidden = rng.random() < 0.02
                body = f"{rng.choice(EVIDENCE)} Could we {rng.choice(ACTIONS).lower()} {rng.choice(THINGS)} {rng.choice(CHANNELS)}?"
                base = self.created[iid]
                at = base + timedelta(
                    seconds=rng.randrange(max(1, int((self.now - base).total_seconds())))
                )
                yield line(
                    cid,
                    body,
                    internal,
                    "hidden" if hidden else "published",
                    ts(at),
                    author,
                    1 if hidden else None,
                    iid,
                )

        cols = [
            "id",
            "body",
            "is_internal",
            "moderation",
            "created_at",
            "author_id",
            "moderated_by_id",
            "idea_id",
        ]
        self.counts["comments"] = copy(cursor, "ideas_comment", cols, rows())

    def panels(self, cursor) -> None:
        """Panel 1 (the big round's): 7 members of 7 distinct functions. Others: 5-9 members
        spanning at least 3 functions."""
        rng = self.rng
        by_function: dict[str, list[int]] = {}
        for u in self.staff:
            if u > 5:
                by_function.setdefault(self.function[u], []).append(u)
        self.panel_members: dict[int, list[int]] = {}
        rows, members = [], []
        for pid in range(1, self.n_panels + 1):
            if pid == 1:
                funcs = [f for f in FUNCTIONS if f != "other"][:7]
                chosen = [rng.choice(by_function[f]) for f in funcs]
            else:
                size = rng.randint(5, 9)
                funcs = rng.sample(sorted(by_function), 4)
                chosen = [rng.choice(by_function[f]) for f in funcs]
                pool = [u for u in self.staff if u > 5 and u not in chosen]
                chosen += rng.sample(pool, size - len(chosen))
            self.panel_members[pid] = chosen
            rows.append(line(pid, f"Panel {pid}", ts(self.start)))
            members += [line(pid, u) for u in chosen]
        self.counts["panels"] = copy(
            cursor, "scoring_panel", ["id", "name", "created_at"], iter(rows)
        )
        copy(cursor, "scoring_panel_members", ["panel_id", "user_id"], iter(members))

    def rounds(self, cursor) -> None:
        """Round 1: ``big_round_ideas`` ideas none of whose authors sit on panel 1, so every
        idea gets all 7 reviewers. The others share the rest of the score budget."""
        rng = self.rng
        scoreable = [
            i for i in range(1, self.n_ideas + 1) if self.status[i] not in ("draft", "merged")
        ]
        panel1 = set(self.panel_members[1])
        plan: list[tuple[int, int, list[int], str]] = []  # round, panel, ideas, status
        big = rng.sample(
            [i for i in scoreable if self.author[i] not in panel1], self.big_round_ideas
        )
        plan.append((1, 1, sorted(big), "closed"))
        rest = self.n_scores - self.big_round_ideas * 7 * 4
        for rid in range(2, self.n_rounds + 1):
            pid = 1 + (rid - 1) % self.n_panels
            size = len(self.panel_members[pid])
            share = rest / (self.n_rounds - rid + 1)
            k = max(5, round(share / (size * 4)))
            ideas = sorted(rng.sample(scoreable, k))
            status = "open" if rid > self.n_rounds * 0.85 else "closed"
            plan.append((rid, pid, ideas, status))
            rest -= sum(size - (self.author[i] in self.panel_members[pid]) for i in ideas) * 4
        self.plan = plan
        span = (self.now - self.start).total_seconds()
        round_rows, links = [], []
        for rid, pid, ideas, status in plan:
            opens = self.start + timedelta(seconds=span * rid / (self.n_rounds + 1))
            if rid == 1:
                opens = self.now - timedelta(days=40)
            due = opens + timedelta(days=21)
            closed = due if status == "closed" else None
            round_rows.append(
                line(
                    rid,
                    f"Round {rid}" + (" (10,000 ideas)" if rid == 1 else ""),
                    ts(opens),
                    ts(due),
                    ts(closed) if closed else None,
                    status,
                    None,
                    None,
                    ts(opens),
                    1,
                    pid,
                    1,
                    "",
                    len(ideas),
                )
            )
            links += [line(rid, i) for i in ideas]
        cols = [
            "id",
            "name",
            "opens_at",
            "due_at",
            "closed_at",
            "status",
            "aggregation_requested_at",
        ]
        cols += [
            "aggregated_at",
            "created_at",
            "created_by_id",
            "panel_id",
            "scorecard_id",
            "aggregation_task_id",
            "idea_count",
        ]
        self.counts["rounds"] = copy(cursor, "scoring_reviewround", cols, iter(round_rows))
        self.counts["round ideas"] = copy(
            cursor, "scoring_reviewround_ideas", ["reviewround_id", "idea_id"], iter(links)
        )

    def assignments_and_scores(self, cursor) -> None:
        rng = self.rng
        bias = {u: rng.gauss(0, 0.5) for u in self.staff}
        signal_offset = {1: 0.2, 2: -0.2, 3: 0.0, 4: -0.3}
        assignments: list[str] = []
        rationales = [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "Strong evidence from the contact centre.",
        ]

        def score_rows() -> Iterator[str]:
            aid = sid = 0
            span = (self.now - self.start).total_seconds()
            for rid, pid, ideas, _status in self.plan:
                at = self.start + timedelta(seconds=span * rid / (self.n_rounds + 1) + 86400 * 7)
                if rid == 1:
                    at = self.now - timedelta(days=30)
                stamp = ts(at)
                for iid in ideas:
                    q = self.quality[iid]
                    for reviewer in self.panel_members[pid]:
                        if reviewer == self.author[iid]:
                            continue  # conflict of interest: no assignment
                        aid += 1
                        assignments.append(line(aid, stamp, iid, reviewer, rid))
                        b = bias[reviewer]
                        for signal in (1, 2, 3, 4):
                            sid += 1
                            value = round(q + b + signal_offset[signal] + rng.gauss(0, 0.7))
                            value = 1 if value < 1 else 5 if value > 5 else value
                            yield f"{sid}\t{value}\t{rng.choice(rationales)}\t{stamp}\t{aid}\t{signal}"

        cols = ["id", "value", "rationale", "updated_at", "assignment_id", "signal_id"]
        self.counts["scores"] = copy(cursor, "scoring_score", cols, score_rows())
        cols = ["id", "submitted_at", "idea_id", "reviewer_id", "round_id"]
        self.counts["assignments"] = copy(cursor, "scoring_assignment", cols, iter(assignments))

    def budgets(self, cursor) -> None:
        rng = self.rng
        years = [self.today.year - 2, self.today.year - 1, self.today.year]
        budget = max(2_000_000, round(600_000_000 * self.scale))
        fy_rows = []
        for fid, year in enumerate(years, start=1):
            fy_rows.append(
                line(
                    fid,
                    f"FY{year}",
                    date(year, 1, 1),
                    date(year, 12, 31),
                    f"{budget}.00",
                    "10.00",
                    "EUR",
                    '{"core": 70, "adjacent": 20, "transformational": 10}',
                )
            )
        copy(
            cursor,
            "budgets_fiscalyear",
            [
                "id",
                "label",
                "starts_on",
                "ends_on",
                "marketing_budget",
                "innovation_target_pct",
                "currency",
                "horizon_targets",
            ],
            iter(fy_rows),
        )
        self.counts["fiscal years"] = len(years)
        fundable = [i for i in range(1, self.n_ideas + 1) if self.status[i] in FUNDABLE]
        alloc_rows, allocs = [], []
        for aid in range(1, self.n_allocations + 1):
            iid = rng.choice(fundable)
            created = self.created[iid] + timedelta(days=rng.randint(20, 200))
            if created >= self.now:  # a recent idea: funded some time between then and now
                created = self.created[iid] + (self.now - self.created[iid]) * rng.random()
            fid = years.index(created.year) + 1
            amount = round(rng.lognormvariate(8.1, 0.8), 2)
            released = None
            if rng.random() < 0.08:
                released = created + timedelta(days=rng.randint(10, 90))
                released = released if released < self.now else None
            status = "released" if released else "committed"
            allocs.append((aid, created, amount, years[fid - 1]))
            alloc_rows.append(
                line(
                    aid,
                    f"{amount:.2f}",
                    status,
                    "Bench allocation",
                    False,
                    "",
                    ts(created),
                    ts(released) if released else None,
                    rng.choice(self.managers),
                    iid,
                    fid,
                )
            )
        cols = [
            "id",
            "amount",
            "status",
            "note",
            "override",
            "reason",
            "created_at",
            "released_at",
            "allocated_by_id",
            "idea_id",
            "fiscal_year_id",
        ]
        self.counts["allocations"] = copy(cursor, "budgets_allocation", cols, iter(alloc_rows))

        def spend_rows() -> Iterator[str]:
            for sid in range(1, self.n_spends + 1):
                aid, created, amount, year = rng.choice(allocs)
                day = created.date() + timedelta(days=rng.randint(0, 120))
                day = min(day, self.today, date(year, 12, 31))
                value = max(0.01, round(amount * rng.uniform(0.01, 0.06), 2))
                yield line(
                    sid,
                    f"{value:.2f}",
                    day,
                    "Bench spend",
                    ts(created),
                    aid,
                    rng.choice(self.managers),
                )

        cols = [
            "id",
            "amount",
            "spent_on",
            "description",
            "created_at",
            "allocation_id",
            "recorded_by_id",
        ]
        self.counts["spends"] = copy(cursor, "budgets_spend", cols, spend_rows())
        # The maintained Allocation.spent (the spend service keeps it; here from the rows).
        cursor.execute(
            "UPDATE budgets_allocation a SET spent = s.total FROM (SELECT allocation_id, "
            "SUM(amount) AS total FROM budgets_spend GROUP BY allocation_id) s "
            "WHERE s.allocation_id = a.id"
        )


# One UPDATE of every idea (each row rewritten once, with its GIN entries, not three times):
# the search vector with the trigger's own expression, and the counters from the rows
# (supports by the supporter's kind; comments: public and visible ones only).
IDEA_FILL = """
UPDATE ideas_idea i SET
  search_vector =
    setweight(to_tsvector('pg_catalog.english', coalesce(i.title, '')), 'A') ||
    setweight(to_tsvector('pg_catalog.english', coalesce(i.customer_need, '')), 'B') ||
    setweight(to_tsvector('pg_catalog.english', coalesce(i.proposal, '')), 'C'),
  supports_employees = COALESCE(s.staff, 0),
  supports_customers = COALESCE(s.customers, 0),
  comment_count = COALESCE(c.n, 0)
FROM ideas_idea x
LEFT JOIN (
  SELECT s.idea_id, COUNT(*) FILTER (WHERE u.kind = 'staff') AS staff,
         COUNT(*) FILTER (WHERE u.kind = 'customer') AS customers
  FROM ideas_support s JOIN accounts_user u ON u.id = s.user_id GROUP BY s.idea_id
) s ON s.idea_id = x.id
LEFT JOIN (
  SELECT idea_id, COUNT(*) AS n FROM ideas_comment
  WHERE NOT is_internal AND moderation = 'published' GROUP BY idea_id
) c ON c.idea_id = x.id
WHERE x.id = i.id
"""

# Daily snapshots for the last 730 days, as the snapshot job would have written them at the
# end of each day: committed = created by then and not released by then; spent = spends on
# or before the day; "new only" leaves out optimizations. Cumulative sums of daily deltas.
SNAPSHOTS = """
WITH days AS (
  SELECT f.id AS fy, d::date AS day
  FROM budgets_fiscalyear f,
       generate_series(GREATEST(f.starts_on, %(first)s::date), LEAST(f.ends_on, %(last)s::date),
                       interval '1 day') d
),
deltas AS (
  SELECT a.fiscal_year_id AS fy, a.created_at::date AS day, a.amount AS c,
         CASE WHEN i.innovation_type <> 'optimization' THEN a.amount ELSE 0 END AS cn,
         0::numeric AS s, 0::numeric AS sn
  FROM budgets_allocation a JOIN ideas_idea i ON i.id = a.idea_id
  UNION ALL
  SELECT a.fiscal_year_id, a.released_at::date, -a.amount,
         CASE WHEN i.innovation_type <> 'optimization' THEN -a.amount ELSE 0 END, 0, 0
  FROM budgets_allocation a JOIN ideas_idea i ON i.id = a.idea_id
  WHERE a.released_at IS NOT NULL
  UNION ALL
  SELECT a.fiscal_year_id, sp.spent_on, 0, 0, sp.amount,
         CASE WHEN i.innovation_type <> 'optimization' THEN sp.amount ELSE 0 END
  FROM budgets_spend sp JOIN budgets_allocation a ON a.id = sp.allocation_id
  JOIN ideas_idea i ON i.id = a.idea_id
),
daily AS (
  SELECT d.fy, d.day, COALESCE(SUM(x.c), 0) AS c, COALESCE(SUM(x.cn), 0) AS cn,
         COALESCE(SUM(x.s), 0) AS s, COALESCE(SUM(x.sn), 0) AS sn
  FROM days d LEFT JOIN deltas x ON x.fy = d.fy AND x.day = d.day
  GROUP BY d.fy, d.day
),
before AS (
  -- what had happened in each year before the first snapshot day
  SELECT x.fy, SUM(x.c) AS c, SUM(x.cn) AS cn, SUM(x.s) AS s, SUM(x.sn) AS sn
  FROM deltas x JOIN (SELECT fy, MIN(day) AS first FROM days GROUP BY fy) m
    ON m.fy = x.fy AND x.day < m.first
  GROUP BY x.fy
)
INSERT INTO budgets_budgetsnapshot
  (date, committed, spent, committed_new_only, spent_new_only, taken_at, fiscal_year_id)
SELECT day,
       COALESCE(b.c, 0) + SUM(d.c) OVER w, COALESCE(b.s, 0) + SUM(d.s) OVER w,
       COALESCE(b.cn, 0) + SUM(d.cn) OVER w, COALESCE(b.sn, 0) + SUM(d.sn) OVER w,
       day + time '23:55', d.fy
FROM daily d LEFT JOIN before b ON b.fy = d.fy
WINDOW w AS (PARTITION BY d.fy ORDER BY d.day)
"""

FK_CHECKS = [
    (
        "scores without assignment",
        "SELECT COUNT(*) FROM scoring_score s LEFT JOIN scoring_assignment a ON a.id = s.assignment_id WHERE a.id IS NULL",
    ),
    (
        "supports without idea/user",
        "SELECT COUNT(*) FROM ideas_support s LEFT JOIN ideas_idea i ON i.id = s.idea_id LEFT JOIN accounts_user u ON u.id = s.user_id WHERE i.id IS NULL OR u.id IS NULL",
    ),
    (
        "comments without idea",
        "SELECT COUNT(*) FROM ideas_comment c LEFT JOIN ideas_idea i ON i.id = c.idea_id WHERE i.id IS NULL",
    ),
    (
        "ideas without author",
        "SELECT COUNT(*) FROM ideas_idea i LEFT JOIN accounts_user u ON u.id = i.author_id WHERE u.id IS NULL",
    ),
    (
        "assignments to their author",
        "SELECT COUNT(*) FROM scoring_assignment a JOIN ideas_idea i ON i.id = a.idea_id WHERE i.author_id = a.reviewer_id",
    ),
    (
        "spends without allocation",
        "SELECT COUNT(*) FROM budgets_spend s LEFT JOIN budgets_allocation a ON a.id = s.allocation_id WHERE a.id IS NULL",
    ),
]

# Feedback items in one INSERT … SELECT over generate_series, AFTER the trigger-free load: the
# search-vector row trigger and the daily roll-up's statement trigger (feedback migrations) fill
# what the list, the search and the journey overlay read. Two in three items are placed on a
# moment of the default journey, one in six waits for a curator with a suggested moment; dates
# over the last 365 days; NPS scores, 0-6 negative.
FEEDBACK = """
WITH m AS (
    SELECT array_agg(mo.id ORDER BY mo.id) AS ids, array_agg(mo.stage_id ORDER BY mo.id) AS stages,
           COUNT(*) AS n
    FROM journeys_moment mo JOIN journeys_stage st ON st.id = mo.stage_id
    JOIN journeys_journey j ON j.id = st.journey_id AND j.is_default
)
INSERT INTO feedback_feedbackitem (source, external_id, channel, text, received_on, segment,
    customer_ref, score, score_scale, is_negative, stage_id, moment_id, suggested_moment_id,
    digest, created_at, updated_at)
SELECT 'bench', 'fb-' || g,
       (ARRAY['complaint','survey','call','app_review','social','branch','email','chat'])[1 + g %% 8],
       'Customers ' || (ARRAY[%(pains)s])[1 + g %% %(n_pains)s] || ' with the '
           || (ARRAY[%(things)s])[1 + (g / 7) %% %(n_things)s] || ' '
           || (ARRAY[%(contexts)s])[1 + (g / 3) %% %(n_contexts)s] || '.',
       %(today)s::date - (g %% 365),
       (ARRAY[%(segments)s])[1 + g %% %(n_segments)s],
       md5('customer-' || (g %% 20000)), g %% 11, 'nps', g %% 11 <= 6,
       CASE WHEN g %% 3 <> 0 THEN m.stages[1 + g %% m.n] END,
       CASE WHEN g %% 3 <> 0 THEN m.ids[1 + g %% m.n] END,
       CASE WHEN g %% 6 = 0 THEN m.ids[1 + (g / 6) %% m.n] END,
       md5('fb-' || g), now(), now()
FROM generate_series(1, %(n)s) g CROSS JOIN m
"""


def _sql_list(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


SEQUENCE_TABLES = [
    "accounts_user", "journeys_moment", "ideas_campaign", "ideas_idea", "ideas_ideatransition",
    "ideas_support", "ideas_comment", "scoring_panel", "scoring_reviewround", "scoring_assignment",
    "scoring_score", "budgets_fiscalyear", "budgets_allocation", "budgets_spend",
    "outcomes_experiment", "outcomes_measurement", "outcomes_valuerecord",
]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/juncture_bench"
        ),
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date.today(),
        help="YYYY-MM-DD; the data set's 'now'",
    )
    parser.add_argument("--skip-aggregation", action="store_true", help="leave IdeaScore empty")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the generator needs PostgreSQL (COPY, GIN, pg_trgm)")

    timings: list[tuple[str, float]] = []
    total_start = time.perf_counter()
    print(
        f"Generating scale {args.scale} (seed {args.seed}, today {args.today}) into {args.database_url}"
    )
    with timed("drop + create database", timings):
        recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    # Aggregating every round in one go runs statements longer than a web request's timeout.
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import psycopg
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    with timed("migrate", timings):
        call_command("migrate", verbosity=0, interactive=False)

    gen = Generator(scale=args.scale, seed=args.seed, today=args.today)
    with psycopg.connect(args.database_url) as conn, conn.cursor() as cur:
        # No triggers during the load: no FK checks per row, no search-vector trigger per row.
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '256MB'")
        with timed("users (one shared password hash)", timings):
            gen.users(cur, make_password("bench-password"))
        with timed("moments and campaigns", timings):
            gen.journey(cur)
            gen.campaigns(cur)
        with timed("ideas", timings):
            gen.ideas(cur)
        with timed("idea transitions", timings):
            gen.transitions(cur)
        with timed("supports", timings):
            gen.supports(cur)
        with timed("comments", timings):
            gen.comments(cur)
        with timed("panels and rounds", timings):
            gen.panels(cur)
            gen.rounds(cur)
        with timed("assignments and scores", timings):
            gen.assignments_and_scores(cur)
        with timed("fiscal years, allocations, spends", timings):
            gen.budgets(cur)
        with timed("experiments, measurements, value records", timings):
            gen.outcomes(cur)
        with timed("search vectors and counters (one UPDATE)", timings):
            cur.execute(IDEA_FILL)
        with timed("realised value totals and the portfolio read model (SQL)", timings):
            # Maintained by the value-record service and by triggers in the application;
            # filled here from the loaded rows, set-based (the triggers are off).
            from insights.readmodel import cycle_rebuild_sql, experiment_rebuild_sql, rebuild_sql
            from outcomes.services import IDEA_VALUE_FILL_SQL

            cur.execute(IDEA_VALUE_FILL_SQL)
            for sql in (
                rebuild_sql("postgresql")
                + experiment_rebuild_sql("postgresql")
                + cycle_rebuild_sql("postgresql")
            ):
                cur.execute(sql)
        with timed("round progress per reviewer (SQL)", timings):
            # Maintained by the scoring services; filled here from the loaded assignments.
            from scoring.progress import PROGRESS_FILL_SQL

            cur.execute(PROGRESS_FILL_SQL)
        with timed("daily snapshots (SQL, 730 days)", timings):
            cur.execute(SNAPSHOTS, {"first": args.today - timedelta(days=729), "last": args.today})
            gen.counts["snapshots"] = cur.rowcount
        with timed("sequences and integrity checks", timings):
            for table in SEQUENCE_TABLES:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            for label, sql in FK_CHECKS:
                cur.execute(sql)
                bad = cur.fetchone()[0]
                if bad:
                    raise SystemExit(f"integrity check failed: {bad} {label}")
        cur.execute("SET session_replication_role = origin")
        conn.commit()
        with timed("feedback items (triggers on: search vector, roll-up)", timings):
            n_feedback = max(100, round(100_000 * args.scale))
            sql = FEEDBACK % {
                "pains": _sql_list(PAINS),
                "n_pains": len(PAINS),
                "things": _sql_list(THINGS),
                "n_things": len(THINGS),
                "contexts": _sql_list(CONTEXTS),
                "n_contexts": len(CONTEXTS),
                "segments": _sql_list(SEGMENTS),
                "n_segments": len(SEGMENTS),
                "today": f"'{args.today.isoformat()}'",
                "n": n_feedback,
            }
            cur.execute(sql)
            gen.counts["feedback items"] = cur.rowcount
        conn.commit()

    with (
        timed("ANALYZE (statistics for the aggregation's plans)", timings),
        psycopg.connect(args.database_url, autocommit=True) as conn,
    ):
        # Without statistics of the freshly loaded tables the planner guesses, and round 1's
        # aggregation took minutes instead of seconds.
        conn.execute("ANALYZE")
    with timed("journey map and dashboard counters (rebuild commands' code)", timings):
        # The load ran with triggers off: the statement triggers' counters (ideas per stage
        # and per day, committed money per group) are filled from the rows now, before the
        # aggregation's updates of the latest scores move them through the triggers.
        from budgets.committed import committed_money_rebuild
        from ideas.stage_counts import stage_counts_rebuild

        stage_counts_rebuild()
        committed_money_rebuild()
    if not args.skip_aggregation:
        from scoring.aggregation import aggregate

        with timed(f"aggregate all {len(gen.plan)} rounds (scoring code)", timings):
            for rid, *_ in gen.plan:
                aggregate(rid)
            from django.db import connection

            connection.close()
    with timed("panel accuracy (insights job)", timings):
        from insights.accuracy import accuracy_refresh

        accuracy_refresh()
    with (
        timed("VACUUM ANALYZE", timings),
        psycopg.connect(args.database_url, autocommit=True) as conn,
    ):
        conn.execute("VACUUM (ANALYZE)")
    total = time.perf_counter() - total_start
    print("\nRows:")
    for label, count in gen.counts.items():
        print(f"  {label:<20} {count:>12,}")
    big = gen.plan[0]
    print(f"  round 1: {len(big[2]):,} ideas x {len(gen.panel_members[1])} reviewers x 4 signals")
    print(f"\nTotal {total:.1f} s")


if __name__ == "__main__":
    main()
