"""Serializers of the journeys API. Field names as in DESIGN.md "HTTP surface"."""

from rest_framework import serializers

from journeys.models import Journey, Stage


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "cycle", "kind", "order"]


class JourneySerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Journey
        fields = ["id", "name", "is_default", "stages"]
