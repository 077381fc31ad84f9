"""The audit log: one function writes it; managers read it at /audit/."""

from django.db import models

from accounts.models import AuditEvent


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
