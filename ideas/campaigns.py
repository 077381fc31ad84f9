"""Writes of campaigns (innovation managers run them). Conventions as in ``ideas.services``."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from core.web import require_perm
from ideas.models import Campaign

CAMPAIGN_FIELDS = {
    "title",
    "slug",
    "brief",
    "audience",
    "opens_at",
    "closes_at",
    "owner",
    "premoderation",
}


def _campaign_validate(campaign: Campaign) -> None:
    errors: dict[str, list[str]] = {}
    if campaign.opens_at and campaign.closes_at and campaign.closes_at <= campaign.opens_at:
        errors["closes_at"] = ["The closing date must be after the opening date."]
    try:
        campaign.full_clean(exclude=["target_stages"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor, target_stages: Iterable = (), **fields) -> Campaign:
    require_perm(
        actor, "ideas.manage_campaigns", None, message="Only innovation managers run campaigns."
    )
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise ValidationError({f: ["Unknown field."] for f in sorted(unknown)})
    fields.setdefault("owner", actor)
    campaign = Campaign(**fields)
    _campaign_validate(campaign)
    campaign.save()
    campaign.target_stages.set(list(target_stages))
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, actor, target_stages: Iterable | None = None, **fields
) -> Campaign:
    require_perm(
        actor, "ideas.manage_campaigns", campaign, message="Only innovation managers run campaigns."
    )
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise ValidationError({f: ["Unknown field."] for f in sorted(unknown)})
    for field, value in fields.items():
        setattr(campaign, field, value)
    _campaign_validate(campaign)
    campaign.save()
    if target_stages is not None:
        campaign.target_stages.set(list(target_stages))
    return campaign
