"""One permission matrix over every URL name (HTML and API) x every role.

Each row names a URL, the objects of the shared world it is called on, the method and body,
and the set of roles that are *allowed*; every other role must be *denied*. The expectations
come from the roles in docs/security.md and the named rules in ``*/rules.py``:

- anonymous visitors see the home page, health check, login/sign-up and the API schema only;
- customers never see internal comments, panel scores, budgets or the journey map, and only
  ideas/campaigns open to customers (anything else is a 404, never a 403 that confirms it);
- employees (executives and panelists are employees too) see every non-draft idea and the
  journey map, and take part (support, comment, follow);
- panelists score their own assignments only, and see a round's results once it closes;
- innovation managers manage everything; executives read dashboards and write nothing;
- experiments and realised value are internal: employees read them, the idea's accountable
  owner or a manager writes them.

"allow" = 2xx, a 3xx that is not a redirect to the login page, or 400/409 (the request was
understood and its data refused); "deny" = 401/403/404 (an HTML 401 is an identity provider's
error page) or (anonymous HTML) a redirect to ``/accounts/login/``. Anything else (405, 429, 5xx) fails the cell whatever was expected.

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
from allauth.socialaccount.models import SocialApp
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from feedback import services as feedback_services
from feedback.models import FeedbackItem, FeedbackLink, ImportBatch, ImportRejection
from feedback.privacy import customer_ref
from ideas import services as idea_services
from ideas.evidence import evidence_add
from ideas.models import ModerationCase, Notification
from journeys.models import Journey
from scoring import services as scoring_services
from scoring.models import Assignment, Score, Signal
from tests import factories
from tests.accounts.saml_idp import SAML_TEST_CERT

ROLES = ("anonymous", "customer", "employee", "panelist", "manager", "executive")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"employee", "panelist", "manager", "executive"})  # kind = staff
MANAGER = frozenset({"manager"})
READERS = frozenset({"manager", "executive"})  # budgets and dashboards
NOBODY = frozenset()
OWNER = frozenset({"employee", "manager"})  # outcomes: the idea's owner (the employee) or a manager

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
    # A customer's comment held for a moderator, in the moderation queue.
    w.held = factories.CommentFactory(
        idea=w.idea_pub, author=customer, body="Held remark", moderation="held"
    )
    w.case = ModerationCase.objects.create(
        idea=w.idea_pub, comment=w.held, cause="suspect", detail="Profanity"
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
    # Evidence on the public idea: the author's (staff) and a customer's own story, each
    # with a file.
    w.evidence = evidence_add(
        idea=w.idea_pub,
        added_by=employee,
        kind="complaint",
        summary="Complaints about the income step.",
        customers_affected=40,
        attachment=SimpleUploadedFile("complaints.png", png_bytes(), content_type="image/png"),
    )
    w.story = evidence_add(
        idea=w.idea_pub,
        added_by=customer,
        kind="other",
        summary="I gave up at the income step twice.",
        attachment=SimpleUploadedFile("screen.png", png_bytes(), content_type="image/png"),
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
    w.token, _ = account_services.token_create(user=panelist)
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

    # Sign-in: one OIDC and one SAML identity provider (never contacted), an invitation.
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="matrix-oidc",
        name="Matrix SSO",
        client_id="matrix",
        secret="secret",
        settings={"server_url": "http://127.0.0.1:9/", "domains": ["matrix.example"]},
    )
    SocialApp.objects.create(
        provider="saml",
        provider_id="matrix-saml",
        name="Matrix SAML",
        client_id="matrix-saml",
        settings={
            "idp": {
                "entity_id": "http://127.0.0.1:9/idp",
                "sso_url": "http://127.0.0.1:9/sso",
                "x509cert": SAML_TEST_CERT,
            },
            # The test client's host, "testserver", has no dot.
            "advanced": {"allow_single_label_domains": True},
        },
    )
    w.invitation = account_services.invitation_token(
        email="invited@example.com", function="it", roles=[], actor=manager
    )

    # Feedback: one item of a pseudonymous customer, linked to the public idea by the employee,
    # and a finished import with a rejected row.
    w.batch = ImportBatch.objects.create(
        file_format="csv", original_name="matrix.csv", status="done", created_by=manager
    )
    ImportRejection.objects.create(batch=w.batch, row_number=2, reasons="text is missing")
    w.mapping_batch = feedback_services.batch_create(
        file=SimpleUploadedFile(
            "matrix.csv",
            b"source,external_id,channel,text,received_on\ncrm,9,chat,Hello,2026-01-02\n",
        ),
        actor=manager,
    )
    w.item = FeedbackItem.objects.create(
        source="crm",
        external_id="m-1",
        channel="complaint",
        text="Locked out again",
        received_on=timezone.localdate(),
        customer_ref=customer_ref("C-1"),
        is_negative=True,
        stage=w.stage,
        moment=w.moment,
    )
    w.link = FeedbackLink.objects.create(item=w.item, idea=w.idea_pub, linked_by=employee)

    # Outcomes: the funded idea (owned by the employee) has a pending experiment with a
    # measurement; a launched idea (owned by the employee) takes value records.
    w.idea_funded.owner = employee
    w.idea_funded.save(update_fields=["owner"])
    w.experiment = factories.ExperimentFactory(idea=w.idea_funded)
    factories.MeasurementFactory(experiment=w.experiment)
    w.idea_launched = factories.IdeaFactory(
        title="Launched idea",
        author=w.anon_author,
        # Every idea of this author is anonymous (tests/reliability/test_anonymity.py).
        is_anonymous=True,
        campaign=w.campaign_all,
        status="launched",
        owner=employee,
    )
    factories.ValueRecordFactory(idea=w.idea_launched)
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
    H("styleguide", STAFF, note="the design system's components, for the people building it"),
    H("schema", EVERYONE, note="the OpenAPI document is public: shape, not data"),
    H("api-docs", EVERYONE),
    H("accounts:audit", MANAGER),
    # --- accounts: django-allauth's pages -----------------------------------------------------
    H("account_login", EVERYONE, note="signed-in users are redirected home"),
    H("account_logout", EVERYONE, "post"),
    H("account_signup", EVERYONE, note="signed-in users are redirected home"),
    H("account_inactive", EVERYONE),
    H("account_reauthenticate", SIGNED_IN),
    H(
        "account_request_reauthentication_code",
        SIGNED_IN,
        note="nothing pending: sent on elsewhere",
    ),
    H(
        "account_confirm_reauthentication_code",
        SIGNED_IN,
        note="nothing pending: sent on elsewhere",
    ),
    H("account_confirm_login_code", SIGNED_IN, note="nothing pending: sent on elsewhere"),
    H("account_email", SIGNED_IN),
    H("account_email_verification_sent", EVERYONE),
    H("account_confirm_email", EVERYONE, args=["not-a-key"], note="an invalid link, for anyone"),
    H("account_change_password", SIGNED_IN),
    H("account_set_password", SIGNED_IN, note="redirects to change: they have a password"),
    H("account_reset_password", EVERYONE),
    H("account_reset_password", EVERYONE, "post", data={"email": "nobody@example.com"}),
    H("account_reset_password_done", EVERYONE),
    H("account_reset_password_from_key", EVERYONE, args={"uidb36": "1", "key": "bad-key"}),
    H("account_reset_password_from_key_done", EVERYONE),
    H("mfa_index", SIGNED_IN),
    H("mfa_authenticate", SIGNED_IN, note="nothing pending: sent on elsewhere"),
    H("mfa_reauthenticate", SIGNED_IN, note="no second factor yet: sent to set one up"),
    H("mfa_activate_totp", SIGNED_IN, note="signed in long ago: asked to reauthenticate"),
    H("mfa_deactivate_totp", NOBODY, note="nobody in the world has TOTP"),
    H("mfa_view_recovery_codes", NOBODY, note="nobody in the world has recovery codes"),
    H("mfa_generate_recovery_codes", SIGNED_IN, note="nothing pending: sent on elsewhere"),
    H("mfa_download_recovery_codes", NOBODY),
    H("mfa_list_webauthn", SIGNED_IN),
    H("mfa_add_webauthn", SIGNED_IN),
    H("mfa_reauthenticate_webauthn", SIGNED_IN, note="nothing pending: sent on elsewhere"),
    H("mfa_remove_webauthn", SIGNED_IN, args=[999999], note="asked to reauthenticate first"),
    H("mfa_edit_webauthn", SIGNED_IN, args=[999999], note="asked to reauthenticate first"),
    H("socialaccount_connections", SIGNED_IN),
    H("socialaccount_signup", NOBODY, note="only with a pending identity-provider sign-up"),
    H("socialaccount_login_cancelled", EVERYONE),
    H("socialaccount_login_error", NOBODY, note="an error page, 401 for anyone"),
    H("openid_connect_login", EVERYONE, args=["matrix-oidc"], note="a confirmation page"),
    H("openid_connect_callback", NOBODY, args=["matrix-oidc"], note="no state: 401 error page"),
    H("saml_login", EVERYONE, args=["matrix-saml"], note="a redirect to the IdP"),
    H("saml_metadata", EVERYONE, args=["matrix-saml"]),
    H("saml_acs", EVERYONE, "post", args=["matrix-saml"], note="no response: an error page"),
    H("saml_finish_acs", NOBODY, args=["matrix-saml"], note="no response posted: 401 error page"),
    H("saml_sls", EVERYONE, args=["matrix-saml"]),
    # --- accounts: Juncture's own -----------------------------------------------------------
    H("accounts:account", SIGNED_IN),
    H(
        "accounts:token_revoke",
        {"panelist"},
        "post",
        args=lambda w: [w.token.pk],
        note="own tokens only; someone else's is a 404",
    ),
    H("accounts:sso_route", EVERYONE, data={"email": "someone@example.com"}),
    H("accounts:verification_resend", SIGNED_IN, "post"),
    H("accounts:data_export", SIGNED_IN),
    H("accounts:delete", SIGNED_IN, "post", note="400 without the confirmation phrase"),
    H(
        "accounts:invitation",
        EVERYONE,
        args=lambda w: [w.invitation],
        note="the invited person (anonymous) sets up; signed-in people are sent home",
    ),
    H("accounts:people", MANAGER),
    H("accounts:invite", MANAGER),
    H("accounts:invite", MANAGER, "post", data={"email": "new@example.com", "function": "it"}),
    H("accounts:person", MANAGER, args=lambda w: [w.employee.pk]),
    H("accounts:person_active", MANAGER, "post", args=lambda w: [w.employee.pk]),
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
    H(
        "ideas:evidence_add",
        {"customer", "employee", "manager"},
        "post",
        args=pub,
        note="author, owner or manager; a customer adds their own story",
    ),
    H("ideas:evidence_add", {"employee", "manager"}, "post", args=lambda w: [w.idea_staff.pk]),
    H("ideas:evidence_file", STAFF, args=lambda w: [w.evidence.pk], note="staff evidence"),
    H(
        "ideas:evidence_file",
        STAFF | {"customer"},
        args=lambda w: [w.story.pk],
        note="a customer's own story: staff and the customer who told it",
    ),
    H("ideas:confirm_type", MANAGER, "post", args=pub),
    H("ideas:expected_value", MANAGER, "post", args=pub),
    H("ideas:comment_hide", MANAGER, "post", args=lambda w: [w.comment.pk]),
    H("ideas:comment_hide", MANAGER, "post", args=lambda w: [w.internal.pk]),
    H(
        "ideas:flag",
        SIGNED_IN - {"employee"},
        "post",
        args=pub,
        data={"flag-reason": "Off-topic"},
        note="anyone who reads it, except its author",
    ),
    H(
        "ideas:comment_flag",
        SIGNED_IN - {"customer"},
        "post",
        args=lambda w: [w.comment.pk],
        data={"flag-reason": "Rude"},
        note="the customer wrote it",
    ),
    H(
        "ideas:comment_flag",
        STAFF - {"manager"},
        "post",
        args=lambda w: [w.internal.pk],
        data={"flag-reason": "Rude"},
        note="an internal comment: staff read it; the manager wrote it",
    ),
    H("ideas:attachment", SIGNED_IN, args=lambda w: [w.attachment.pk]),
    H("ideas:attachment", STAFF, args=lambda w: [w.staff_attachment.pk]),
    H("ideas:campaigns", SIGNED_IN),
    H("ideas:campaign_new", MANAGER),
    H("ideas:campaign", SIGNED_IN, args=lambda w: [w.campaign_all.slug]),
    H("ideas:campaign", STAFF, args=lambda w: [w.campaign_staff.slug]),
    H("ideas:campaign_edit", MANAGER, args=lambda w: [w.campaign_all.slug]),
    H("ideas:notifications", SIGNED_IN),
    H("ideas:notifications_read", SIGNED_IN, "post"),
    # --- moderation -------------------------------------------------------------------------
    H("moderation:queue", MANAGER, note="innovation managers and the moderator role"),
    H(
        "moderation:decide",
        MANAGER,
        "post",
        args=lambda w: [w.case.pk],
        data={"decision": "approved"},
    ),
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
    # --- feedback: staff read and link; innovation managers import, curate and erase --------
    H("feedback:list", STAFF, note="customers never see feedback"),
    H("feedback:detail", STAFF, args=lambda w: [w.item.pk]),
    H(
        "feedback:link",
        STAFF,
        "post",
        args=lambda w: [w.item.pk],
        data=lambda w: {"idea": w.idea_pub.pk},
    ),
    H(
        "feedback:unlink",
        {"employee", "manager"},
        "post",
        args=lambda w: [w.item.pk, w.idea_pub.pk],
        note="the person who linked it, or a manager",
    ),
    H("feedback:import_new", MANAGER),
    H("feedback:import_detail", MANAGER, args=lambda w: [w.batch.pk]),
    H("feedback:import_mapping", MANAGER, args=lambda w: [w.mapping_batch.pk]),
    H("feedback:import_rejected", MANAGER, args=lambda w: [w.batch.pk]),
    H("feedback:placements", MANAGER),
    H("feedback:idea_feedback", STAFF, args=pub),
    H("feedback:customer", STAFF, args=lambda w: [w.item.customer_ref]),
    H("feedback:customer_delete", MANAGER, "post", args=lambda w: [w.item.customer_ref]),
    H("feedback:journey", STAFF, args=lambda w: [w.journey.pk]),
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
    H("scoring:scorecard_settings", MANAGER, args=lambda w: [w.closed_round.scorecard_id]),
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
    H("insights:portfolio", READERS, note="customers and employees never see money"),
    H("insights:portfolio_csv", READERS, args=lambda w: [w.fiscal_year.pk]),
    H("insights:accuracy", READERS),
    H("insights:accuracy_apply", MANAGER, "post", note="a new scorecard version"),
    H("budgets:release", MANAGER, "post", args=lambda w: [w.allocation.pk]),
    # --- outcomes ---------------------------------------------------------------------------
    # Internal facts: employees read; the idea's owner (here the employee) or a manager write.
    H("outcomes:idea_experiments", STAFF, args=lambda w: [w.idea_funded.pk]),
    H("outcomes:experiment_new", OWNER, args=lambda w: [w.idea_funded.pk]),
    H("outcomes:experiment", STAFF, args=lambda w: [w.experiment.pk]),
    H("outcomes:experiment_edit", OWNER, args=lambda w: [w.experiment.pk]),
    H("outcomes:measurement_add", OWNER, "post", args=lambda w: [w.experiment.pk]),
    H("outcomes:measurement_import", OWNER, "post", args=lambda w: [w.experiment.pk]),
    H("outcomes:decide", OWNER, "post", args=lambda w: [w.experiment.pk]),
    H("outcomes:value", STAFF, args=lambda w: [w.idea_launched.pk], note="money: no customers"),
    H("outcomes:value", OWNER, "post", args=lambda w: [w.idea_launched.pk]),
    H("outcomes:value_import", OWNER, "post", args=lambda w: [w.idea_launched.pk]),
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
    A("ideas:idea-evidence", SIGNED_IN, args=pub, note="customers: their own stories only"),
    A("ideas:idea-evidence", STAFF, args=lambda w: [w.idea_staff.pk]),
    A("ideas:idea-evidence", {"customer", "employee", "manager"}, "post", args=pub, data={}),
    A("ideas:idea-flag", SIGNED_IN - {"employee"}, "post", args=pub, data={"reason": "Spam"}),
    A(
        "ideas:idea-flag-comment",
        SIGNED_IN - {"customer"},
        "post",
        args=lambda w: {"pk": w.idea_pub.pk, "comment_id": w.comment.pk},
        data={"reason": "Rude"},
    ),
    A(
        "ideas:idea-flag-comment",
        NOBODY,
        "post",
        args=lambda w: {"pk": w.idea_pub.pk, "comment_id": w.held.pk},
        data={"reason": "Rude"},
        note="held: only its author and the moderators read it, and it waits for them already",
    ),
    A("ideas:idea-transitions", SIGNED_IN, args=pub),
    A("ideas:idea-transitions", MANAGER, "post", args=pub, data={"to": "screening"}),
    A("ideas:campaign-list", SIGNED_IN),
    A("ideas:campaign-detail", SIGNED_IN, args=lambda w: [w.campaign_all.slug]),
    A("ideas:campaign-detail", STAFF, args=lambda w: [w.campaign_staff.slug]),
    # --- API: feedback ----------------------------------------------------------------------
    A("feedback:feedback-list", STAFF),
    A("feedback:feedback-list", MANAGER, "post", data=[], note="an empty list upserts nothing"),
    A("feedback:import-list", MANAGER, "post", data={}, note="400 without a file"),
    A("feedback:import-detail", MANAGER, args=lambda w: [w.batch.pk]),
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
    A("insights:portfolio", READERS, data={"fiscal_year": 0}, note="400 for a bad year"),
    A("insights:portfolio", READERS),
    A("insights:accuracy", READERS),
    A("insights:accuracy-apply", MANAGER, "post", note="409 before there is a suggestion"),
    A("budgets:allocation-list", READERS),
    A("budgets:allocation-list", MANAGER, "post", data={}),
    A("budgets:allocation-detail", READERS, args=lambda w: [w.allocation.pk]),
    A("budgets:allocation-release", MANAGER, "post", args=lambda w: [w.allocation.pk]),
    A("budgets:spend-list", READERS),
    A("budgets:spend-list", MANAGER, "post", data={}),
    A("budgets:spend-detail", READERS, args=lambda w: [w.spend.pk]),
    # --- API: outcomes ----------------------------------------------------------------------
    A("outcomes:idea-experiments", STAFF, args=lambda w: [w.idea_funded.pk]),
    A("outcomes:idea-experiments", OWNER, "post", args=lambda w: [w.idea_funded.pk], data={}),
    A("outcomes:experiment-detail", STAFF, args=lambda w: [w.experiment.pk]),
    A("outcomes:experiment-detail", OWNER, "patch", args=lambda w: [w.experiment.pk], data={}),
    A("outcomes:experiment-measurements", STAFF, args=lambda w: [w.experiment.pk]),
    A(
        "outcomes:experiment-measurements",
        OWNER,
        "post",
        args=lambda w: [w.experiment.pk],
        data={},
    ),
    A("outcomes:experiment-decide", OWNER, "post", args=lambda w: [w.experiment.pk], data={}),
    A("outcomes:idea-value", STAFF, args=lambda w: [w.idea_launched.pk]),
    A("outcomes:idea-value", OWNER, "post", args=lambda w: [w.idea_launched.pk], data={}),
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
            "deny" if location.startswith(LOGIN_PATH) and row.name != "account_logout" else "allow"
        )
    if 200 <= code < 300 or code in (400, 409):
        return "allow"
    if code in (401, 403, 404):
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
    # A browser always sends Host; python3-saml (the SAML views) reads it from the request.
    client = APIClient() if api else Client(HTTP_HOST="testserver")
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
            if row.name == "account_logout":
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
