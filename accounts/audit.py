"""The audit log: one function writes it; managers read it at /audit/."""

from django.db import models

from accounts.models import AuditEvent
from core.templatetags.juncture import money, status_label


def audit_record(
    *,
    actor,
    action: str,
    summary: str,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction so the event exists
    exactly when the action does."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(
            f"{actor.display_name} <{actor.email}>" if getattr(actor, "pk", None) else "system"
        ),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
    )


# --- Reading the log: one sentence per event ------------------------------------------------
#
# The log page shows "Ana Ruiz moved “Instant card freeze” from Submitted to In review". Each
# action kind has one formatter, which reads only the event itself (its ``data`` and
# ``summary``): accounts is the lowest app and may not look ideas or budgets up. Events written
# before a title was recorded name the idea by number. An action with no formatter, or one
# whose data is not what its formatter expects, falls back to the summary the writer gave.


def _actor(event: AuditEvent) -> str:
    """The actor's name without the e-mail (``actor_label`` is "Name <email>")."""
    label = event.actor_label or "system"
    name = label.split(" <", 1)[0].strip()
    return "The system" if name == "system" else name


def _idea(data: dict, title_key: str = "title", id_key: str = "idea", pk: str = "") -> str:
    title = data.get(title_key)
    if title:
        return f"“{title}”"
    number = data.get(id_key) or pk
    return f"idea #{number}" if number else "an idea"


def _status(code) -> str:
    return status_label(code) or "—"


def _money(amount, currency: str | None) -> str:
    text = money(amount, currency or "EUR")
    if not text:
        raise ValueError(f"not an amount: {amount!r}")
    return text


def _transition(event: AuditEvent) -> str:
    d = event.data
    text = f"moved {_idea(d, pk=event.target_id)} from {_status(d['from'])} to {_status(d['to'])}"
    if event.action == "idea.gate_override":
        text += ", overriding the gate"
    return text + (f" (“{d['reason']}”)" if d.get("reason") else "")


def _owner(event: AuditEvent) -> str:
    d = event.data
    idea = _idea(d, pk=event.target_id)
    if d.get("to") is None:
        return f"removed the owner of {idea}"
    return f"made {d.get('owner_name') or 'someone'} the owner of {idea}"


def _merge(event: AuditEvent) -> str:
    d = event.data
    source = _idea(d, "source_title", "source")
    return f"merged {source} into {_idea(d, 'target_title', 'target')}"


def _allocation(event: AuditEvent) -> str:
    d = event.data
    amount = _money(d["amount"], d.get("currency"))
    text = f"allocated {amount} to {_idea(d)}"
    if event.action == "allocation.override":
        text += f", over the budget by override (“{d.get('reason') or ''}”)"
    return text


def _release(event: AuditEvent) -> str:
    d = event.data
    return f"released {_money(d['amount'], d.get('currency'))} from {_idea(d)}"


def _experiment(event: AuditEvent) -> str:
    d = event.data
    verbs = {"scale": "to scale", "iterate": "to iterate", "stop": "to stop"}
    decision = verbs.get(d["decision"], f"“{d['decision']}”")
    return f"decided {decision} the experiment on {_idea(d)}"


def _role(event: AuditEvent) -> str:
    d = event.data
    parts = []
    if d.get("added"):
        parts.append("added the role " + ", ".join(d["added"]))
    if d.get("removed"):
        parts.append("removed the role " + ", ".join(d["removed"]))
    return " and ".join(parts) or "left the roles as they were"


def _summary_after(prefix: str):
    """A formatter that says ``prefix`` and then the writer's summary."""
    return lambda event: f"{prefix}: {event.summary}"


SENTENCES = {
    "idea.transition": _transition,
    "idea.gate_override": _transition,
    "idea.owner": _owner,
    "idea.merge": _merge,
    "idea.confirm_type": lambda e: f"confirmed the type of idea #{e.target_id}",
    "idea.expected_value": lambda e: f"set the expected value of idea #{e.target_id}",
    "comment.hide": lambda e: f"hid comment #{e.target_id}",
    "comment.show": lambda e: f"showed comment #{e.target_id} again",
    "allocation.create": _allocation,
    "allocation.override": _allocation,
    "allocation.release": _release,
    "spend.record": _summary_after("recorded spend"),
    "fiscal_year.create": _summary_after("created a fiscal year"),
    "fiscal_year.update": _summary_after("changed a fiscal year"),
    "experiment.decide": _experiment,
    "value.record": _summary_after("recorded realised value"),
    "value.import": _summary_after("imported realised value"),
    "panel.members": _summary_after("changed a panel"),
    "round.open": lambda e: f"opened {e.summary.replace(' opened', '', 1)}",
    "round.close": lambda e: f"closed {e.summary.removesuffix(' closed')}",
    "scorecard.version": lambda e: f"created scorecard version #{e.target_id}",
    "scorecard.settings": _summary_after("changed scorecard"),
    "role.change": _role,
    "person.function": _summary_after("changed a function"),
    "person.activate": lambda e: f"reactivated {e.summary.removeprefix('Reactivated ')}",
    "person.deactivate": lambda e: f"deactivated {e.summary.removeprefix('Deactivated ')}",
    "person.provision": lambda e: f"was set up by single sign-on ({e.summary})",
    "invitation.send": lambda e: f"invited {e.data['email']}",
    "invitation.accept": lambda e: "accepted an invitation",
    "login": lambda e: "logged in",
    "token.create": lambda e: "created an API token",
    "token.revoke": lambda e: f"revoked {e.summary.removesuffix(' revoked')}",
    "privacy.export": lambda e: "downloaded their data",
    "privacy.delete": lambda e: "deleted their account",
    "user.flags": _summary_after("changed account flags"),
    "feedback.customer_deleted": _summary_after("deleted a customer's feedback"),
}


def action_label(code: str) -> str:
    """An action code for the filter list: "idea.gate_override" -> "Idea gate override"."""
    words = code.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# Events with no one acting: the sentence is the whole of it.
WHOLE_SENTENCES = {
    "login.failed": lambda e: f"Failed login for {e.data.get('email') or 'an empty e-mail'}",
}


def audit_sentence(event: AuditEvent) -> str:
    """The event as a sentence: who did what ("Ana Ruiz moved “Instant card freeze” from
    Submitted to In review"). The time is shown beside it by the page. An unknown action, or
    data a formatter cannot read, gives "Who: summary" rather than an error."""
    formatter = SENTENCES.get(event.action)
    who = _actor(event)
    try:
        if event.action in WHOLE_SENTENCES:
            return WHOLE_SENTENCES[event.action](event)
        if formatter is not None:
            return f"{who} {formatter(event)}"
    except (KeyError, TypeError, AttributeError, ValueError):
        pass  # an older event without the fields: say what the writer said
    return f"{who}: {event.summary}" if event.summary else f"{who}: {event.action}"
