"""JSON shapes of the feedback API. Serializers only shape data; writes go through
feedback.services."""

import json

from rest_framework import serializers

from feedback.importer import FIELDS
from feedback.models import Channel, FeedbackItem, ImportBatch


class FeedbackItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "source",
            "external_id",
            "channel",
            "text",
            "received_on",
            "segment",
            "customer_ref",
            "score",
            "score_scale",
            "is_negative",
            "stage",
            "moment",
            "suggested_moment",
            "batch",
        ]


class FeedbackItemWriteSerializer(serializers.Serializer):
    """One item of ``POST /feedback/`` (documentation of the shape; the service validates:
    ``customer_id`` is hashed, ``text`` masked; ``stage``/``moment`` by id or name)."""

    source = serializers.CharField(max_length=60)
    external_id = serializers.CharField(max_length=120)
    channel = serializers.ChoiceField(choices=Channel.choices)
    text = serializers.CharField()
    received_on = serializers.DateField()
    segment = serializers.CharField(required=False, allow_blank=True)
    customer_id = serializers.CharField(required=False, allow_blank=True)
    score = serializers.IntegerField(required=False, allow_null=True)
    score_scale = serializers.ChoiceField(choices=["nps", "csat"], required=False, allow_blank=True)
    stage = serializers.CharField(required=False, allow_blank=True)
    moment = serializers.CharField(required=False, allow_blank=True)


class UpsertResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "status",
            "total",
            "processed",
            "imported",
            "updated",
            "unchanged",
            "rejected",
            "error",
            "original_name",
            "created_at",
            "finished_at",
        ]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.CharField(
        required=False,
        help_text="A JSON object {field: column}; without it, columns named like the fields.",
    )
    source = serializers.CharField(
        required=False, max_length=60, help_text="Source for rows without a source column."
    )

    def validate_mapping(self, value):
        try:
            mapping = json.loads(value)
        except ValueError:
            raise serializers.ValidationError("Not valid JSON.") from None
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise serializers.ValidationError("A JSON object of field names to column names.")
        unknown = set(mapping) - set(FIELDS)
        if unknown:
            raise serializers.ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
        return mapping
