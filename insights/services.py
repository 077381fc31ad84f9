"""Writes started from the insights pages. Conventions as in the other apps' services:
keyword-only, typed, atomic; the HTML view and the API call the same function."""

from django.db import transaction

from accounts.models import User
from core.exceptions import Conflict
from core.web import require_perm
from insights import accuracy
from scoring.models import Scorecard
from scoring.services import scorecard_create_version


class NoSuggestion(Conflict):
    default_code = "no_suggestion"


@transaction.atomic
def accuracy_suggestion_apply(*, actor: User) -> Scorecard:
    """A new scorecard version with the weights the stored accuracy figures suggest (the
    figures a manager was shown, never weights sent by the caller), made the default for new
    rounds; rounds already held keep their scorecard. Raises ``NoSuggestion`` (409) when
    there is none yet, ``PermissionDenied`` for anyone but a manager, and ``ValidationError``
    when the weights no longer fit (for example a signal was retired). The figures are then
    recomputed against the new version, so the same suggestion is not offered twice."""
    require_perm(actor, "scoring.manage_scorecards")
    snapshot = accuracy.latest_snapshot()
    data = snapshot.data if snapshot else {}
    suggested = data.get("suggested_weights") or {}
    scorecard = Scorecard.objects.filter(pk=(data.get("scorecard") or {}).get("id")).first()
    if not suggested or scorecard is None:
        raise NoSuggestion("There is no suggestion to apply yet.")
    version = scorecard_create_version(scorecard=scorecard, weights=suggested, actor=actor)
    accuracy.queue_refresh()  # through the outbox, in this transaction
    return version
