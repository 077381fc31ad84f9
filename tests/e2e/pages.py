"""The catalogue of HTML pages, and which demo roles may see each: one list for the layout
sweep (``tests/e2e/test_layout.py``) and for ``make screenshots`` (``scripts/screenshots.py``).

Each page names a URL and how to find its arguments in the demo data (``manage.py
seed_demo``). ``test_layout`` checks the catalogue against the URL resolver, so a new HTML
page is either listed here or named in ``NOT_PAGES`` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

ROLES = ("anonymous", "customer", "employee", "panelist", "manager", "executive")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
STAFF = frozenset({"employee", "panelist", "manager", "executive"})
MANAGER = frozenset({"manager"})
READERS = frozenset({"manager", "executive"})

# The demo login of each role (password: accounts.demo.DEMO_PASSWORD).
LOGINS = {
    "customer": "customer@example.com",
    "employee": "employee@example.com",
    "panelist": "panelist@example.com",
    "manager": "manager@example.com",
    "executive": "executive@example.com",
}

# URL names that are not pages a person reads: writes (POST only), downloads, htmx partials
# and third-party pages. ``test_layout`` fails on a URL name in neither list.
NOT_PAGES = {
    "healthz": "JSON health check",
    "schema": "OpenAPI document (YAML)",
    "api-docs": "Swagger UI, a third-party page",
    "account_logout": "POST only (the page without a form post just asks to confirm)",
    "accounts:data_export": "JSON download",
    "accounts:delete": "reached from the account page; confirming deletes the account",
    "accounts:invitation": "needs a signed invitation token",
    "accounts:invite": "POST only (the form is on the people page)",
    "accounts:person_active": "POST only",
    "accounts:token_revoke": "POST only",
    "accounts:sso_route": "POST only (the login page's e-mail routing)",
    "accounts:verification_resend": "POST only",
    "account_confirm_email": "needs an e-mailed confirmation key",
    "account_confirm_login_code": "only during a login by code",
    "account_confirm_reauthentication_code": "only during reauthentication by code",
    "account_email_verification_sent": "shown after sign-up (covered by the sign-up browser test)",
    "account_inactive": "shown to a deactivated account only",
    "account_reauthenticate": "only when a sensitive action asks for the password again",
    "account_request_reauthentication_code": "only during reauthentication by code",
    "account_reset_password_done": "shown after a reset request (covered by its browser test)",
    "account_reset_password_from_key": "needs an e-mailed reset key",
    "account_reset_password_from_key_done": "shown after a reset (covered by its browser test)",
    "account_set_password": "only for accounts without a password (SSO)",
    "mfa_activate_totp": "second-factor setup (covered by the TOTP browser test)",
    "mfa_add_webauthn": "second-factor setup (covered by the security-key test)",
    "mfa_authenticate": "only during a login with a second factor",
    "mfa_deactivate_totp": "only with TOTP set up",
    "mfa_download_recovery_codes": "text download",
    "mfa_edit_webauthn": "only with a security key set up",
    "mfa_generate_recovery_codes": "only with a second factor set up",
    "mfa_list_webauthn": "only with a security key set up",
    "mfa_reauthenticate": "only when a sensitive action asks for the second factor again",
    "mfa_reauthenticate_webauthn": "only when a sensitive action asks for the security key",
    "mfa_remove_webauthn": "only with a security key set up",
    "mfa_view_recovery_codes": "only with a second factor set up",
    "openid_connect_callback": "identity-provider redirect (covered by the OIDC tests)",
    "openid_connect_login": "identity-provider redirect (covered by the OIDC tests)",
    "saml_acs": "identity-provider POST (covered by the SAML tests)",
    "saml_finish_acs": "identity-provider redirect (covered by the SAML tests)",
    "saml_login": "identity-provider redirect (covered by the SAML tests)",
    "saml_metadata": "XML for identity providers",
    "saml_sls": "identity-provider logout endpoint",
    "socialaccount_login_cancelled": "shown after an abandoned SSO sign-in",
    "socialaccount_login_error": "shown after a failed SSO sign-in",
    "socialaccount_signup": "only during an SSO sign-up that needs more details",
    "ideas:similar": "htmx partial of the submission form",
    "ideas:export": "CSV download",
    "ideas:support": "POST only",
    "ideas:follow": "POST only",
    "ideas:comments": "POST only (the comments region of the idea page)",
    "ideas:transition": "POST only",
    "ideas:owner": "POST only",
    "ideas:merge": "POST only",
    "ideas:attachment_add": "POST only",
    "ideas:attachment": "file download",
    "ideas:comment_hide": "POST only",
    "ideas:flag": "POST only (the form is on the idea page)",
    "ideas:comment_flag": "POST only (the form is on the idea page)",
    "moderation:decide": "POST only (the queue's row actions)",
    "ideas:confirm_type": "POST only",
    "ideas:evidence_add": "POST only (the form is on the idea page)",
    "ideas:evidence_file": "file download",
    "ideas:expected_value": "POST only",
    "ideas:notifications_read": "POST only",
    "insights:journey_map": "the same page as insights:journey_default",
    "insights:journey_cell": "htmx partial of the journey map",
    "journeys:moment_options": "htmx partial of the idea form",
    "journeys:stage_add": "POST only",
    "journeys:stage_move": "POST only",
    "journeys:moment_delete": "POST only",
    "scoring:score_signal": "POST only",
    "scoring:round_open": "POST only",
    "scoring:round_close": "POST only",
    "scoring:recompute": "POST only",
    "scoring:recompute_status": "htmx polling partial",
    "scoring:results_csv": "CSV download",
    "scoring:panel_coverage": "POST only (htmx partial)",
    "budgets:allocate": "POST only",
    "budgets:spend": "POST only",
    "insights:summary_csv": "CSV download",
    "insights:portfolio_csv": "CSV download",
    "insights:accuracy_apply": "POST only",
    "budgets:release": "POST only",
    "outcomes:measurement_add": "POST only",
    "outcomes:measurement_import": "POST only",
    "outcomes:decide": "POST only",
    "outcomes:value_import": "POST only",
    "feedback:link": "POST only",
    "feedback:unlink": "POST only",
    "feedback:customer_delete": "POST only",
    "feedback:import_rejected": "CSV download",
    # Not swept yet: each needs data the demo does not seed (an import batch) or is a region
    # another page loads; list them as pages when the demo has what they show.
    "feedback:import_detail": "not swept yet: needs an import batch",
    "feedback:import_mapping": "not swept yet: needs an import batch awaiting its mapping",
    "feedback:idea_feedback": "not swept yet: the feedback region of an idea",
    "feedback:customer": "not swept yet: one customer's feedback",
    "feedback:journey": "not swept yet: the feedback overlay of the journey map",
}


@dataclass(frozen=True)
class Page:
    """One page: ``key`` names its screenshots; ``args`` finds reverse() arguments in the
    demo data (None: the page has no instance to show, so it is skipped)."""

    key: str
    name: str
    roles: frozenset
    args: Callable[[], list | None] | None = None
    query: str = ""  # a view of the same page (``view=table``), without the "?"

    def path(self) -> str | None:
        if self.args is None:
            path = reverse(self.name)
        else:
            args = self.args()
            if args is None:
                return None
            path = reverse(self.name, args=args)
        return f"{path}?{self.query}" if self.query else path


def _first(qs, attr: str = "pk") -> list | None:
    obj = qs.order_by("pk").first()
    return None if obj is None else [getattr(obj, attr)]


def _public_idea():
    from ideas.models import Idea

    # Seen by every signed-in role: live, in a campaign open to customers, not anonymous.
    return _first(
        Idea.objects.filter(
            campaign__audience="everyone", is_anonymous=False, status="in_review"
        ).exclude(merged_into__isnull=False)
    )


def _held_idea():
    from ideas.models import Idea

    # The demo customer's idea held in the pre-moderated campaign (its author and the
    # moderators see it).
    return _first(Idea.objects.filter(moderation="held", author__email=LOGINS["customer"]))


def _person():
    from accounts.models import User

    return _first(User.objects.filter(email=LOGINS["employee"]))


def _campaign():
    from ideas.models import Campaign

    return _first(Campaign.objects.filter(audience="everyone"), "slug")


def _journey():
    from journeys.models import Journey

    return _first(Journey.objects.filter(is_default=True))


def _stage():
    from journeys.models import Stage

    return _first(Stage.objects.filter(journey__is_default=True))


def _moment():
    from journeys.models import Moment

    return _first(Moment.objects.filter(stage__journey__is_default=True))


def _assignment():
    from scoring.models import Assignment

    return _first(
        Assignment.objects.filter(
            reviewer__email=LOGINS["panelist"], round__status="open", submitted_at__isnull=True
        )
    )


def _closed_round():
    from scoring.models import ReviewRound

    return _first(
        ReviewRound.objects.filter(
            status="closed", assignments__reviewer__email=LOGINS["panelist"]
        ).distinct()
    )


def _open_round():
    from scoring.models import ReviewRound

    return _first(ReviewRound.objects.filter(status="open"))


def _panel():
    from scoring.models import Panel

    return _first(Panel.objects.all())


def _scorecard():
    from scoring.models import Scorecard

    return _first(Scorecard.objects.filter(is_default=True))


def _submitted_assignment():
    from scoring.models import Assignment

    return _first(
        Assignment.objects.filter(
            reviewer__email=LOGINS["panelist"], round__status="open", submitted_at__isnull=False
        )
    )


def _locked_assignment():
    from scoring.models import Assignment

    return _first(
        Assignment.objects.filter(reviewer__email=LOGINS["panelist"], round__status="closed")
    )


def _experiment_idea():
    from outcomes.models import Experiment

    experiment = Experiment.objects.order_by("pk").first()
    return None if experiment is None else [experiment.idea_id]


def _experiment():
    from outcomes.models import Experiment

    return _first(Experiment.objects.all())


def _launched_idea():
    from ideas.models import Idea

    return _first(Idea.objects.filter(status="launched"))


def _feedback_item():
    from feedback.models import FeedbackItem

    return _first(FeedbackItem.objects.all())


def _fiscal_year():
    from budgets.models import FiscalYear

    fy = FiscalYear.objects.order_by("-starts_on").first()
    return None if fy is None else [fy.pk]


PAGES: list[Page] = [
    Page("home", "home", frozenset(ROLES)),
    Page("login", "account_login", frozenset({"anonymous"})),
    Page("signup", "account_signup", frozenset({"anonymous"})),
    Page("password-reset", "account_reset_password", frozenset({"anonymous"})),
    Page("account", "accounts:account", SIGNED_IN),
    Page("password-change", "account_change_password", SIGNED_IN),
    Page("email", "account_email", SIGNED_IN),
    Page("mfa", "mfa_index", SIGNED_IN),
    Page("connections", "socialaccount_connections", SIGNED_IN),
    Page("people", "accounts:people", MANAGER),
    Page("person", "accounts:person", MANAGER, _person),
    Page("audit-log", "accounts:audit", MANAGER),
    Page("styleguide", "styleguide", STAFF),
    Page("board", "ideas:board", SIGNED_IN),
    Page("board-following", "ideas:board", SIGNED_IN, query="tab=following"),
    Page("board-table", "ideas:board", MANAGER, query="view=table"),
    Page("submit", "ideas:new", SIGNED_IN),
    Page("idea", "ideas:detail", SIGNED_IN, _public_idea),
    Page("idea-edit", "ideas:edit", MANAGER, _public_idea),
    Page("idea-held", "ideas:detail", frozenset({"customer", "manager"}), _held_idea),
    Page("moderation", "moderation:queue", MANAGER),
    Page("campaigns", "ideas:campaigns", SIGNED_IN),
    Page("campaign", "ideas:campaign", SIGNED_IN, _campaign),
    Page("campaign-new", "ideas:campaign_new", MANAGER),
    Page("campaign-edit", "ideas:campaign_edit", MANAGER, _campaign),
    Page("notifications", "ideas:notifications", SIGNED_IN),
    Page("journey-map", "insights:journey_default", STAFF),
    Page("journey-edit", "journeys:edit", MANAGER, _journey),
    Page("stage-edit", "journeys:stage_edit", MANAGER, _stage),
    Page("moment-add", "journeys:moment_add", MANAGER, _stage),
    Page("moment-edit", "journeys:moment_edit", MANAGER, _moment),
    Page("review-queue", "scoring:queue", frozenset({"panelist"})),
    Page("scorecard", "scoring:scorecard", frozenset({"panelist"}), _assignment),
    Page(
        "scorecard-submitted",
        "scoring:scorecard",
        frozenset({"panelist"}),
        _submitted_assignment,
    ),
    Page("scorecard-locked", "scoring:scorecard", frozenset({"panelist"}), _locked_assignment),
    Page("scorecard-settings", "scoring:scorecard_settings", MANAGER, _scorecard),
    Page("rounds", "scoring:rounds", MANAGER),
    Page("round-new", "scoring:round_new", MANAGER),
    Page("round-open", "scoring:round", MANAGER, _open_round),
    Page("round-results", "scoring:round", frozenset({"panelist", "manager"}), _closed_round),
    Page("panel-new", "scoring:panel_new", MANAGER),
    Page("panel-edit", "scoring:panel_edit", MANAGER, _panel),
    Page("dashboard", "insights:dashboard", READERS),
    Page("portfolio", "insights:portfolio", READERS),
    Page("panel-accuracy", "insights:accuracy", READERS),
    Page("fiscal-year", "budgets:fiscal_year", MANAGER, _fiscal_year),
    Page("fiscal-year-new", "budgets:fiscal_year_new", MANAGER),
    Page("fiscal-year-edit", "budgets:fiscal_year_edit", MANAGER, _fiscal_year),
    Page("experiments", "outcomes:idea_experiments", STAFF, _experiment_idea),
    Page("experiment-new", "outcomes:experiment_new", MANAGER, _experiment_idea),
    Page("experiment", "outcomes:experiment", STAFF, _experiment),
    Page("experiment-edit", "outcomes:experiment_edit", MANAGER, _experiment),
    Page("value", "outcomes:value", STAFF, _launched_idea),
    Page("feedback", "feedback:list", STAFF),
    Page("feedback-item", "feedback:detail", STAFF, _feedback_item),
    Page("feedback-import", "feedback:import_new", MANAGER),
    Page("feedback-placements", "feedback:placements", MANAGER),
]

# Error pages, reached the way a person reaches them.
ERROR_PAGES = {
    "error-404": "/no-such-page/",
}


def visits(roles=ROLES, keys=None) -> list[tuple[str, str, str]]:
    """(role, page key, path) for every page each role may see, in role order; ``keys``
    keeps only the pages named."""
    out = []
    for role in roles:
        for page in PAGES:
            if keys and page.key not in keys:
                continue
            if role in page.roles and (path := page.path()) is not None:
                out.append((role, page.key, path))
        for key, path in ERROR_PAGES.items():
            if not keys or key in keys:
                out.append((role, key, path))
    return out
