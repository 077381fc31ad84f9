"""REST API of the outcomes app, mounted under /api/v1/ by config.api.

``ideas/{id}/experiments/`` GET · POST, ``experiments/{id}/`` GET · PATCH,
``experiments/{id}/measurements/`` GET · POST, ``experiments/{id}/decide/`` POST,
``ideas/{id}/value/`` GET · POST.

Every action names its rule (outcomes.rules) for core.drf.RulesPermission, checked on the
idea or the experiment. An idea the caller may not see, or whose experiments or value they
may not read, is a 404 (nothing confirms it exists); a reader who may not write gets 403.
Every write calls outcomes.services; a state conflict is a 409.
"""

from functools import partial

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.drf import RulesPermission
from ideas.models import Idea
from outcomes import services
from outcomes.models import Experiment, Measurement, ValueRecord
from outcomes.serializers import (
    DecideSerializer,
    ExperimentSerializer,
    MeasurementSerializer,
    ValueRecordSerializer,
)

CONFLICT = OpenApiResponse(description="Conflict with the experiment's or idea's state.")


def idea_for(request: Request, pk: int, read_perm: str) -> Idea:
    """The idea the caller may see and read ``read_perm`` on, else 404."""
    idea = get_object_or_404(
        Idea.objects.visible_to(request.user).select_related("campaign"), pk=pk
    )
    if not request.user.has_perm(read_perm, idea):
        raise Http404
    return idea


def experiment_for(request: Request, pk: int) -> Experiment:
    """The experiment (with its attainment) if the caller may read it, else 404."""
    experiment = get_object_or_404(
        Experiment.objects.with_attainment().select_related("idea__campaign"), pk=pk
    )
    if not request.user.has_perm("outcomes.view_experiment", experiment):
        raise Http404
    return experiment


class _RulesView(generics.GenericAPIView):
    permission_classes = [RulesPermission]
    filter_backends: list = []

    def list_under(self, request: Request, parent, queryset) -> Response:
        """A page of ``queryset`` (the children of ``parent``), once the caller's rule for
        this method has been checked on ``parent``."""
        self.check_object_permissions(request, parent)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.serializer_class(page, many=True).data)

    def create_under(self, request: Request, parent, create) -> Response:
        """201 with what ``create(**validated body)`` (a service call) made under ``parent``,
        once the caller's rule for this method has been checked on ``parent``."""
        self.check_object_permissions(request, parent)
        incoming = self.serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = create(**incoming.validated_data)
        return Response(self.serializer_class(created).data, status=status.HTTP_201_CREATED)


class IdeaExperiments(_RulesView):
    serializer_class = ExperimentSerializer
    rules_permissions = {"get": "outcomes.view_experiment", "post": "outcomes.add_experiment"}

    @extend_schema(
        summary="Experiments of an idea, newest first", responses=ExperimentSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        idea = idea_for(request, pk, "outcomes.view_experiment")
        experiments = Experiment.objects.filter(idea=idea).with_attainment()
        return self.list_under(request, idea, experiments.order_by("-created_at", "-id"))

    @extend_schema(
        summary="Draft an experiment (the idea's owner or a manager)",
        responses={201: ExperimentSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        idea = idea_for(request, pk, "outcomes.view_experiment")

        def create(**fields) -> Experiment:
            experiment = services.experiment_create(idea=idea, actor=request.user, **fields)
            return Experiment.objects.with_attainment().get(pk=experiment.pk)

        return self.create_under(request, idea, create)


class ExperimentDetail(_RulesView):
    serializer_class = ExperimentSerializer
    rules_permissions = {"get": "outcomes.view_experiment", "patch": "outcomes.change_experiment"}

    @extend_schema(summary="One experiment with its attainment")
    def get(self, request: Request, pk: int) -> Response:
        experiment = experiment_for(request, pk)
        self.check_object_permissions(request, experiment)
        return Response(ExperimentSerializer(experiment).data)

    @extend_schema(
        summary="Change a pending experiment (attainment and decision are read-only)",
        responses={200: ExperimentSerializer, 409: CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        experiment = experiment_for(request, pk)
        self.check_object_permissions(request, experiment)
        incoming = ExperimentSerializer(experiment, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        services.experiment_update(
            experiment=experiment, actor=request.user, **incoming.validated_data
        )
        experiment = Experiment.objects.with_attainment().get(pk=experiment.pk)
        return Response(ExperimentSerializer(experiment).data)


class ExperimentMeasurements(_RulesView):
    serializer_class = MeasurementSerializer
    rules_permissions = {"get": "outcomes.view_experiment", "post": "outcomes.add_measurement"}

    @extend_schema(
        summary="Measurements of an experiment, by day", responses=MeasurementSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        experiment = experiment_for(request, pk)
        measurements = Measurement.objects.filter(experiment=experiment)
        return self.list_under(request, experiment, measurements.order_by("measured_on", "id"))

    @extend_schema(
        summary="Record one measurement (the idea's owner or a manager)",
        responses={201: MeasurementSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = experiment_for(request, pk)
        return self.create_under(
            request,
            experiment,
            partial(services.measurement_add, experiment=experiment, actor=request.user),
        )


class ExperimentDecide(_RulesView):
    serializer_class = DecideSerializer
    # "view" only tells a reader (403) from someone who may not see the experiment (404).
    rules_permissions = {"post": "outcomes.decide_experiment", "view": "outcomes.view_experiment"}

    @extend_schema(
        summary="Decide: scale, iterate or stop (the idea's owner or a manager; once)",
        request=DecideSerializer,
        responses={200: ExperimentSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        experiment = experiment_for(request, pk)
        self.check_object_permissions(request, experiment)
        incoming = DecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.experiment_decide(
            experiment=experiment,
            decision=incoming.validated_data["decision"],
            note=incoming.validated_data["note"],
            actor=request.user,
        )
        experiment = Experiment.objects.with_attainment().get(pk=experiment.pk)
        return Response(ExperimentSerializer(experiment).data)


class IdeaValue(_RulesView):
    serializer_class = ValueRecordSerializer
    rules_permissions = {"get": "outcomes.view_value", "post": "outcomes.add_value"}

    @extend_schema(
        summary="Realised value records of an idea, by period",
        responses=ValueRecordSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        idea = idea_for(request, pk, "outcomes.view_value")
        records = ValueRecord.objects.filter(idea=idea)
        return self.list_under(request, idea, records.order_by("period_start", "id"))

    @extend_schema(
        summary="Record realised value for a period (the idea's owner or a manager)",
        responses={201: ValueRecordSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        idea = idea_for(request, pk, "outcomes.view_value")
        return self.create_under(
            request, idea, partial(services.value_record_create, idea=idea, actor=request.user)
        )


api_urlpatterns = [
    path("ideas/<int:pk>/experiments/", IdeaExperiments.as_view(), name="idea-experiments"),
    path("ideas/<int:pk>/value/", IdeaValue.as_view(), name="idea-value"),
    path("experiments/<int:pk>/", ExperimentDetail.as_view(), name="experiment-detail"),
    path(
        "experiments/<int:pk>/measurements/",
        ExperimentMeasurements.as_view(),
        name="experiment-measurements",
    ),
    path("experiments/<int:pk>/decide/", ExperimentDecide.as_view(), name="experiment-decide"),
]
