"""One permission matrix over every URL name (HTML and API) x every role.

Each row names a URL, the objects of the shared world it is called on, the method and body,
and the set of roles that are *allowed*; every other role must be *denied*. The expectations
come from DESIGN.md ("Users and what they do") and the named rules in ``*/rules.py``:

- anonymous visitors see the home page, health check, login/sign-up and the API schema only;
- customers never see internal comments, panel scores, budgets or the journey map, and only
  ideas/campaigns open to customers (anything else is a 404, never a 403 that confirms it);
- employees (executives and panelists are employees too) see every non-draft idea and the
  journey map, and take part (support, comment, follow);
- panelists score their own assignments only, and see a round's results once it closes;
- innovation managers manage everything; executives read dashboards and write nothing.

"allow" = 2xx, a 3xx that is not a redirect to the login page, or 400/409 (the request was
understood and its data refused); "deny" = 401/403/404 or (anonymous HTML) a redirect to
``/accounts/login/``. Anything else (405, 429, 5xx) fails the cell whatever was expected.

Every cell runs inside a savepoint that is rolled back, so a manager closing a round or
deleting a moment does not change the world the next cell sees.
"""

import os
import struct
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_create
from ideas import services as idea_services
from ideas.models import Notification
from journeys.models import Journey
from scoring import services as scoring_services
from scoring.models import Assignment, Score, Signal
from tests import factories

ROLES = ("anonymous", "customer", "employee", "panelist", "manager", "executive")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"employee", "panelist", "manager", "executive"})  # kind = staff
MANAGER = frozenset({"manager"})
READERS = frozenset({"manager", "executive"})  # budgets and dashboards
NOBODY = frozenset()

LOGIN_PATH = "/accounts/login/"


def png_bytes() -> bytes:
    """A valid 1x1 PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def build_world(*, customer, employee, panelist, manager, executive) -> SimpleNamespace:
    """The shared objects every row points at. ``employee`` authors the public ideas;
    ``anon_author`` (another employee, in no role) wrote the anonymous ones (every idea of
    theirs is anonymous, so their name must appear nowhere a non-manager looks)."""
    w = SimpleNamespace(
        customer=customer,
        employee=employee,
        panelist=panelist,
        manager=manager,
        executive=executive,
    )
    w.anon_author = factories.EmployeeFactory(
        display_name="Ada Anonymouse", email="ada.anonymouse@example.com", function="it"
    )
    w.campaign_all = factories.CampaignFactory(
        title="Open to all", slug="open-to-all", audience="everyone", owner=manager
    )
    w.campaign_staff = factories.CampaignFactory(
        title="Staff only", slug="staff-only", audience="employees", owner=manager
    )
    w.idea_pub = factories.IdeaFactory(
        title="Public idea", author=employee, campaign=w.campaign_all, status="submitted"
    )
    w.idea_anon = factories.IdeaFactory(
        title="Anonymous idea",
        author=w.anon_author,
        campaign=w.campaign_all,
        is_anonymous=True,
        status="in_review",
    )
    w.idea_staff = factories.IdeaFactory(
        title="Staff idea", author=employee, campaign=w.campaign_staff, status="submitted"
    )
    w.idea_draft = factories.IdeaFactory(
        title="Draft idea", author=employee, campaign=w.campaign_all, status="draft"
    )
    w.idea_cust = factories.IdeaFactory(
        title="Customer idea", author=customer, campaign=w.campaign_all, status="submitted"
    )
    w.comment = factories.CommentFactory(idea=w.idea_pub, author=customer, body="Public remark")
    w.internal = factories.CommentFactory(
        idea=w.idea_pub, author=manager, body="Internal remark", is_internal=True
    )
    w.attachment = idea_services.attachment_add(
        idea=w.idea_pub,
        uploaded_by=employee,
        file=SimpleUploadedFile("sketch.png", png_bytes(), content_type="image/png"),
    )
    w.staff_attachment = idea_services.attachment_add(
        idea=w.idea_staff,
        uploaded_by=employee,
        file=SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png"),
    )
    w.notification = Notification.objects.create(
        user=employee, idea=w.idea_pub, verb="commented", message="Someone commented."
    )
    w.journey = Journey.objects.get(is_default=True)
    w.stage = w.journey.stages.order_by("order").first()
    w.moment = factories.MomentFactory(stage=w.stage, name="Form abandoned")

    # Panels: the panelist's open round (an assignment on the anonymous idea), a closed
    # round with aggregated results the panelist took part in, and a draft round.
    sales = factories.EmployeeFactory(display_name="Sam Sales", function="sales")
    service = factories.EmployeeFactory(display_name="Sue Service", function="service")
    w.panel = factories.PanelFactory(name="CX panel", members=[panelist, sales, service])
    w.open_round = factories.ReviewRoundFactory(
        panel=w.panel, status="open", ideas=[w.idea_anon], name="Open round"
    )
    w.assignment = Assignment.objects.create(
        round=w.open_round, idea=w.idea_anon, reviewer=panelist
    )
    w.token, _ = token_create(user=panelist)
    w.idea_closed = factories.IdeaFactory(
        title="Reviewed idea",
        author=w.anon_author,
        campaign=w.campaign_all,
        status="in_review",
        is_anonymous=True,
    )
    w.closed_round = factories.ReviewRoundFactory(
        panel=w.panel, status="closed", ideas=[w.idea_closed], name="Closed round"
    )
    signals = list(Signal.objects.filter(scorecards=w.closed_round.scorecard_id))
    for value, reviewer in zip((4, 5, 3), (panelist, sales, service), strict=True):
        a = Assignment.objects.create(
            round=w.closed_round, idea=w.idea_closed, reviewer=reviewer, submitted_at=timezone.now()
        )
        Score.objects.bulk_create(
            [Score(assignment=a, signal=s, value=value, rationale="seen") for s in signals]
        )
    scoring_services.aggregation_run(round_id=w.closed_round.pk)
    assert w.closed_round.results.count() == 1
    w.draft_round = factories.ReviewRoundFactory(
        panel=w.panel, status="draft", ideas=[w.idea_cust], name="Draft round"
    )

    # Money: a fiscal year with one committed allocation and a spend against it.
    w.fiscal_year = factories.FiscalYearFactory(
        label="FY matrix",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=300),
    )
    w.idea_funded = factories.IdeaFactory(
        title="Funded idea",
        author=w.anon_author,
        campaign=w.campaign_all,
        status="funded",
        is_anonymous=True,
    )
    w.allocation = factories.AllocationFactory(
        fiscal_year=w.fiscal_year,
        idea=w.idea_funded,
        amount=Decimal("5000.00"),
        allocated_by=manager,
    )
    w.spend = factories.SpendFactory(allocation=w.allocation, recorded_by=manager)
    return w


@dataclass(frozen=True)
class Row:
    """One URL name called one way. ``args(w)`` gives the reverse() arguments."""

    name: str
    allowed: frozenset
    method: str = "get"
    args: object = None  # callable(world) -> list | dict
    data: object = None  # dict / list, or callable(world) -> body
    note: str = ""
    api: bool = field(default=False)

    def resolve(self, w) -> tuple[str, object]:
        args = self.args(w) if callable(self.args) else self.args
        if isinstance(args, dict):
            url = reverse(self.name, kwargs=args)
        else:
            url = reverse(self.name, args=args or [])
        data = self.data(w) if callable(self.data) else self.data
        return url, data


def H(name, allowed, method="get", args=None, data=None, note=""):
    return Row(name, frozenset(allowed), method, args, data, note, api=False)


def A(name, allowed, method="get", args=None, data=None, note=""):
    return Row("api:" + name, frozenset(allowed), method, args, data, note, api=True)


def pub(w):
    return [w.idea_pub.pk]


MATRIX: list[Row] = [
    # --- config / accounts ------------------------------------------------------------------
    H("home", EVERYONE),
    H("healthz", EVERYONE),
    H("schema", EVERYONE, note="the OpenAPI document is public: shape, not data"),
    H("api-docs", EVERYONE),
    H("accounts:login", EVERYONE, note="signed-in users are redirected home"),
    H("accounts:logout", EVERYONE, "post"),
    H("accounts:password_change", SIGNED_IN),
    H("accounts:password_change_done", SIGNED_IN),
    H("accounts:signup", EVERYONE, note="signed-in users are redirected home"),
    H("accounts:audit", MANAGER),
    H("accounts:account", SIGNED_IN),
    H(
        "accounts:token_revoke",
        {"panelist"},
        "post",
        args=lambda w: [w.token.pk],
        note="own tokens only; someone else's is a 404",
    ),
    # --- ideas ------------------------------------------------------------------------------
    H("ideas:board", SIGNED_IN),
    H("ideas:new", SIGNED_IN, note="customers and staff submit; managers are staff"),
    H("ideas:similar", SIGNED_IN, data={"q": "idea"}),
    H("ideas:export", MANAGER),
    H("ideas:detail", SIGNED_IN, args=pub),
    H("ideas:detail", STAFF, args=lambda w: [w.idea_staff.pk], note="employees-only campaign"),
    H("ideas:detail", {"employee", "manager"}, args=lambda w: [w.idea_draft.pk], note="a draft"),
    H("ideas:detail", SIGNED_IN, args=lambda w: [w.idea_cust.pk], note="a customer's idea"),
    H("ideas:edit", {"employee", "manager"}, args=pub, note="author while editable, or manager"),
    H("ideas:edit", {"customer", "manager"}, args=lambda w: [w.idea_cust.pk]),
    H("ideas:support", SIGNED_IN, "post", args=lambda w: [w.idea_anon.pk]),
    H("ideas:support", STAFF, "post", args=lambda w: [w.idea_staff.pk]),
    H("ideas:follow", SIGNED_IN, "post", args=pub),
    H("ideas:comments", SIGNED_IN, "post", args=pub, data={"body": "Matrix comment"}),
    H("ideas:comments", STAFF, "post", args=lambda w: [w.idea_staff.pk], data={"body": "x"}),
    H("ideas:transition", MANAGER, "post", args=pub, data={"to": "screening"}),
    H(
        "ideas:transition",
        {"employee", "manager"},
        "post",
        args=lambda w: [w.idea_draft.pk],
        data={"to": "submitted"},
        note="the author submits their own draft",
    ),
    H("ideas:owner", MANAGER, "post", args=pub),
    H("ideas:merge", MANAGER, "post", args=pub),
    H("ideas:attachment_add", {"employee", "manager"}, "post", args=pub),
    H("ideas:comment_hide", MANAGER, "post", args=lambda w: [w.comment.pk]),
    H("ideas:comment_hide", MANAGER, "post", args=lambda w: [w.internal.pk]),
    H("ideas:attachment", SIGNED_IN, args=lambda w: [w.attachment.pk]),
    H("ideas:attachment", STAFF, args=lambda w: [w.staff_attachment.pk]),
    H("ideas:campaigns", SIGNED_IN),
    H("ideas:campaign_new", MANAGER),
    H("ideas:campaign", SIGNED_IN, args=lambda w: [w.campaign_all.slug]),
    H("ideas:campaign", STAFF, args=lambda w: [w.campaign_staff.slug]),
    H("ideas:campaign_edit", MANAGER, args=lambda w: [w.campaign_all.slug]),
    H("ideas:notifications", SIGNED_IN),
    H("ideas:notifications_read", SIGNED_IN, "post"),
    # --- journeys ---------------------------------------------------------------------------
    H("insights:journey_default", STAFF, note="customers never see the journey map"),
    H("insights:journey_map", STAFF, args=lambda w: [w.journey.pk]),
    H("insights:journey_cell", STAFF, args=lambda w: [w.journey.pk, w.stage.pk]),
    H("journeys:moment_options", SIGNED_IN, data=lambda w: {"stage": w.stage.pk}),
    H("journeys:edit", MANAGER, args=lambda w: [w.journey.pk]),
    H("journeys:stage_add", MANAGER, "post", args=lambda w: [w.journey.pk]),
    H("journeys:stage_edit", MANAGER, args=lambda w: [w.stage.pk]),
    H(
        "journeys:stage_move",
        MANAGER,
        "post",
        args=lambda w: [w.stage.pk],
        data={"direction": "down"},
    ),
    H("journeys:moment_add", MANAGER, args=lambda w: [w.stage.pk]),
    H("journeys:moment_edit", MANAGER, args=lambda w: [w.moment.pk]),
    H("journeys:moment_delete", MANAGER, "post", args=lambda w: [w.moment.pk]),
    # --- scoring ----------------------------------------------------------------------------
    H("scoring:queue", {"panelist"}, note="members of a panel only"),
    H("scoring:scorecard", {"panelist"}, args=lambda w: [w.assignment.pk], note="own only"),
    H(
        "scoring:score_signal",
        {"panelist"},
        "post",
        args=lambda w: [w.assignment.pk, "importance"],
        data={"importance-value": "4", "importance-rationale": "matrix"},
    ),
    H("scoring:rounds", MANAGER),
    H("scoring:round_new", MANAGER),
    H("scoring:round", MANAGER, args=lambda w: [w.open_round.pk], note="no results while open"),
    H("scoring:round", {"panelist", "manager"}, args=lambda w: [w.closed_round.pk]),
    H("scoring:round_open", MANAGER, "post", args=lambda w: [w.draft_round.pk]),
    H("scoring:round_close", MANAGER, "post", args=lambda w: [w.open_round.pk]),
    H("scoring:recompute", MANAGER, "post", args=lambda w: [w.closed_round.pk]),
    H("scoring:recompute_status", MANAGER, args=lambda w: [w.closed_round.pk, "no-such-task"]),
    H("scoring:results_csv", MANAGER, args=lambda w: [w.open_round.pk]),
    H("scoring:results_csv", {"panelist", "manager"}, args=lambda w: [w.closed_round.pk]),
    H("scoring:panel_new", MANAGER),
    H("scoring:panel_edit", MANAGER, args=lambda w: [w.panel.pk]),
    H("scoring:panel_coverage", MANAGER, "post"),
    # --- budgets ----------------------------------------------------------------------------
    H("insights:dashboard", READERS),
    H("budgets:fiscal_year_new", MANAGER),
    H("budgets:fiscal_year", MANAGER, args=lambda w: [w.fiscal_year.pk], note="management page"),
    H("budgets:fiscal_year_edit", MANAGER, args=lambda w: [w.fiscal_year.pk]),
    H("budgets:allocate", MANAGER, "post", args=lambda w: [w.fiscal_year.pk]),
    H("budgets:spend", MANAGER, "post", args=lambda w: [w.fiscal_year.pk]),
    H("insights:summary_csv", READERS, args=lambda w: [w.fiscal_year.pk]),
    H("budgets:release", MANAGER, "post", args=lambda w: [w.allocation.pk]),
    # --- API: accounts ----------------------------------------------------------------------
    A("token", EVERYONE, "post", data={}, note="400 without credentials, for anyone"),
    A("accounts:token-list", SIGNED_IN, note="the caller's own tokens"),
    A("accounts:token-detail", {"panelist"}, "delete", args=lambda w: [w.token.pk]),
    # --- API: journeys ----------------------------------------------------------------------
    A("journeys:journey-list", STAFF),
    A("journeys:journey-detail", STAFF, args=lambda w: [w.journey.pk]),
    A("insights:journey-map", STAFF, args=lambda w: [w.journey.pk]),
    # --- API: ideas -------------------------------------------------------------------------
    A("ideas:idea-list", SIGNED_IN),
    A("ideas:idea-list", SIGNED_IN, "post", data={}, note="400: understood, data refused"),
    A("ideas:idea-similar", SIGNED_IN, data={"q": "idea"}),
    A("ideas:idea-detail", SIGNED_IN, args=pub),
    A("ideas:idea-detail", STAFF, args=lambda w: [w.idea_staff.pk]),
    A("ideas:idea-detail", {"employee", "manager"}, args=lambda w: [w.idea_draft.pk]),
    A("ideas:idea-detail", {"employee", "manager"}, "patch", args=pub, data={}),
    A("ideas:idea-comments", SIGNED_IN, args=pub),
    A("ideas:idea-comments", SIGNED_IN, "post", args=pub, data={"body": "Matrix comment"}),
    A("ideas:idea-comments", STAFF, args=lambda w: [w.idea_staff.pk]),
    A(
        "ideas:idea-support",
        SIGNED_IN - {"employee"},
        "post",
        args=pub,
        note="nobody supports their own idea",
    ),
    A("ideas:idea-support", SIGNED_IN, "post", args=lambda w: [w.idea_anon.pk]),
    A("ideas:idea-support", STAFF - {"employee"}, "post", args=lambda w: [w.idea_staff.pk]),
    A("ideas:idea-transitions", SIGNED_IN, args=pub),
    A("ideas:idea-transitions", MANAGER, "post", args=pub, data={"to": "screening"}),
    A("ideas:campaign-list", SIGNED_IN),
    A("ideas:campaign-detail", SIGNED_IN, args=lambda w: [w.campaign_all.slug]),
    A("ideas:campaign-detail", STAFF, args=lambda w: [w.campaign_staff.slug]),
    # --- API: scoring -----------------------------------------------------------------------
    A("scoring:signal-list", STAFF),
    A("scoring:signal-detail", STAFF, args=lambda w: [Signal.objects.order_by("pk")[0].pk]),
    A("scoring:scorecard-list", STAFF),
    A("scoring:scorecard-detail", STAFF, args=lambda w: [w.closed_round.scorecard_id]),
    A("scoring:panel-list", MANAGER),
    A("scoring:panel-list", MANAGER, "post", data={}),
    A("scoring:panel-detail", MANAGER, args=lambda w: [w.panel.pk]),
    A("scoring:panel-detail", MANAGER, "patch", args=lambda w: [w.panel.pk], data={}),
    A("scoring:round-list", MANAGER),
    A("scoring:round-list", MANAGER, "post", data={}),
    A("scoring:round-detail", MANAGER, args=lambda w: [w.open_round.pk]),
    A("scoring:round-open", MANAGER, "post", args=lambda w: [w.draft_round.pk]),
    A("scoring:round-close", MANAGER, "post", args=lambda w: [w.open_round.pk]),
    A("scoring:round-results", MANAGER, args=lambda w: [w.open_round.pk]),
    A("scoring:round-results", {"panelist", "manager"}, args=lambda w: [w.closed_round.pk]),
    A("scoring:assignment-list", {"panelist"}),
    A("scoring:assignment-detail", {"panelist"}, args=lambda w: [w.assignment.pk]),
    A("scoring:assignment-scores", {"panelist"}, args=lambda w: [w.assignment.pk]),
    A(
        "scoring:assignment-scores",
        {"panelist"},
        "put",
        args=lambda w: [w.assignment.pk],
        data=[{"signal": "importance", "value": 4, "rationale": "matrix"}],
    ),
    A("scoring:assignment-submit", {"panelist"}, "post", args=lambda w: [w.assignment.pk]),
    # --- API: budgets -----------------------------------------------------------------------
    A("budgets:fiscal-year-list", READERS),
    A("budgets:fiscal-year-list", MANAGER, "post", data={}),
    A("budgets:fiscal-year-detail", READERS, args=lambda w: [w.fiscal_year.pk]),
    A("budgets:fiscal-year-detail", MANAGER, "patch", args=lambda w: [w.fiscal_year.pk], data={}),
    A("insights:fiscal-year-summary", READERS, args=lambda w: [w.fiscal_year.pk]),
    A("budgets:allocation-list", READERS),
    A("budgets:allocation-list", MANAGER, "post", data={}),
    A("budgets:allocation-detail", READERS, args=lambda w: [w.allocation.pk]),
    A("budgets:allocation-release", MANAGER, "post", args=lambda w: [w.allocation.pk]),
    A("budgets:spend-list", READERS),
    A("budgets:spend-list", MANAGER, "post", data={}),
    A("budgets:spend-detail", READERS, args=lambda w: [w.spend.pk]),
]


def url_names() -> set[str]:
    """Every named URL the resolver knows, namespaced (``api:ideas:idea-list``), but admin."""

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{ns}:{p.name}" if ns else p.name

    return {n for n in walk(get_resolver().url_patterns, "") if not n.startswith("admin:")}


def test_it_has_a_row_for_every_url_name():
    """A new endpoint cannot be added without deciding who may call it."""
    names = url_names()
    covered = {row.name for row in MATRIX}
    assert names - covered == set(), "URL names with no row in the permission matrix"
    assert covered - names == set(), "rows for URL names that no longer exist"


def outcome(role: str, row: Row, response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response.headers.get("Location", "")
        return (
            "deny" if location.startswith(LOGIN_PATH) and row.name != "accounts:logout" else "allow"
        )
    if 200 <= code < 300 or code in (400, 409):
        return "allow"
    if code in (403, 404) or (code == 401 and row.api):
        return "deny"
    return f"error {code}"


@pytest.fixture
def world(customer, employee, panelist, manager, executive):
    return build_world(
        customer=customer,
        employee=employee,
        panelist=panelist,
        manager=manager,
        executive=executive,
    )


def _client(user, *, api: bool = False) -> Client:
    # HTML forms post form-encoded (Client); the API gets JSON (APIClient).
    client = APIClient() if api else Client()
    # A 500 is a failed cell like any other, reported with the rest (not a crash of the run).
    client.raise_request_exception = False
    if user is not None:
        client.force_login(user)
    return client


def test_it_allows_and_denies_every_url_per_role(world):
    clients = {
        (role, api): _client(getattr(world, role, None), api=api)
        for role in ROLES
        for api in (False, True)
    }
    failures: list[str] = []
    cells = 0
    for row in MATRIX:
        url, data = row.resolve(world)
        for role in ROLES:
            cache.clear()  # rate-limit counters: every cell starts fresh
            client = clients[(role, row.api)]
            if row.name == "accounts:logout":
                # Logging out clears the client's session cookie: use a throwaway client.
                client = _client(getattr(world, role, None))
            kwargs = {}
            if row.method == "get":
                kwargs["data"] = data
            elif row.api:
                kwargs.update(data=data if data is not None else {}, format="json")
            else:
                kwargs["data"] = data or {}
            with transaction.atomic():
                response = getattr(client, row.method)(url, **kwargs)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                transaction.set_rollback(True)
            cells += 1
            if os.environ.get("MATRIX_DUMP"):
                print(f"{row.method:6} {row.name:40} {role:10} {response.status_code}")
            expected = "allow" if role in row.allowed else "deny"
            got = outcome(role, row, response)
            if got != expected:
                failures.append(
                    f"{row.method.upper()} {url} ({row.name}) as {role}: expected {expected}, "
                    f"got {got} ({response.status_code})"
                )
    print(f"\npermission matrix: {len(MATRIX)} rows x {len(ROLES)} roles = {cells} cells checked")
    assert cells == len(MATRIX) * len(ROLES)
    assert not failures, "\n".join(failures)
