"""Serializers of the insights API. Field names as in the API documentation of the journey map."""

from rest_framework import serializers


class MapQuerySerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, min_value=1)
    fiscal_year = serializers.IntegerField(required=False, min_value=1)


class MapBucketsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    in_review = serializers.IntegerField()
    approved = serializers.IntegerField()
    launched = serializers.IntegerField()
    total = serializers.IntegerField()


class MapStageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cycle = serializers.CharField()
    kind = serializers.CharField()
    ideas = MapBucketsSerializer()
    mean_score = serializers.FloatField(allow_null=True)
    allocated = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="Committed money; null for callers who may not see money.",
    )
    gaps = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of value-destroying moments with no live idea.",
    )


class JourneyMapSerializer(serializers.Serializer):
    journey = serializers.IntegerField()
    stages = MapStageSerializer(many=True)
