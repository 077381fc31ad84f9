"""REST API of the scoring app, mounted under /api/v1/ by config.api."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.drf import RulesPermission
from scoring import services
from scoring.models import (
    Assignment,
    IdeaScore,
    Panel,
    ReviewRound,
    Scorecard,
    ScorecardSignal,
    Signal,
    SignalResult,
)
from scoring.serializers import (
    AssignmentSerializer,
    PanelSerializer,
    ResultSerializer,
    RoundSerializer,
    ScorecardSerializer,
    ScoreInSerializer,
    ScoreOutSerializer,
    SignalSerializer,
)


class SignalViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    queryset = Signal.objects.filter(active=True)
    serializer_class = SignalSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "scoring.view_signals"}


class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    queryset = Scorecard.objects.prefetch_related(
        Prefetch("weights", queryset=ScorecardSignal.objects.select_related("signal"))
    )
    serializer_class = ScorecardSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "scoring.view_signals"}


class PanelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    queryset = Panel.objects.prefetch_related("members")
    serializer_class = PanelSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "scoring.manage_panels"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.panel_create(
            name=data["name"], members=data.get("members", []), actor=self.request.user
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.panel_update(
            panel=serializer.instance,
            name=data.get("name"),
            members=data.get("members"),
            actor=self.request.user,
        )


class RoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    queryset = ReviewRound.objects.prefetch_related("ideas")
    serializer_class = RoundSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {
        "default": "scoring.manage_rounds",
        "results": "scoring.view_results",
    }
    filterset_fields = ["status", "panel"]

    def get_queryset(self):
        # The results are paginated IdeaScore rows: the round's own idea ids (10,000 in a
        # big round) are not needed there.
        if self.action == "results":
            return ReviewRound.objects.all()
        return super().get_queryset()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.round_create(
            panel=data["panel"],
            scorecard=data.get("scorecard") or Scorecard.objects.get(is_default=True),
            ideas=data["ideas"],
            due_at=data["due_at"],
            name=data.get("name", ""),
            actor=self.request.user,
        )

    @extend_schema(request=None, responses=RoundSerializer, summary="Open a draft round")
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        round = self.get_object()
        round = services.round_open(round=round, actor=request.user)
        return Response(RoundSerializer(round).data)

    @extend_schema(request=None, responses=RoundSerializer, summary="Close an open round")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        round = self.get_object()
        round = services.round_close(round=round, actor=request.user)
        return Response(RoundSerializer(round).data)

    @extend_schema(responses=ResultSerializer(many=True), summary="Ranked results of a round")
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        round = self.get_object()
        rows = (
            IdeaScore.objects.filter(round=round)
            .order_by("rank")
            .prefetch_related(
                Prefetch(
                    "signal_results",
                    queryset=SignalResult.objects.select_related("signal").order_by(
                        "signal__order", "signal_id"
                    ),
                )
            )
        )
        page = self.paginate_queryset(rows)
        thin = {}
        if not request.user.has_perm("scoring.manage_rounds"):
            thin = Assignment.objects.thin_functions(round.pk, [r.idea_id for r in page])
        data = ResultSerializer(page, many=True, context={"thin": thin}).data
        return self.get_paginated_response(data)


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own assignments; another reviewer's assignment is a 404."""

    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500

    serializer_class = AssignmentSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "scoring.score_assignment", "list": "scoring.review"}

    queryset = Assignment.objects.none()  # for the schema; the real one is per caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return (
            Assignment.objects.for_reviewer(self.request.user)
            .select_related("round", "idea")
            .with_score_count()
            .order_by("round__due_at", "pk")
        )

    @extend_schema(methods=["GET"], responses=ScoreOutSerializer(many=True), summary="My scores")
    @extend_schema(
        methods=["PUT"],
        request=ScoreInSerializer(many=True),
        responses=ScoreOutSerializer(many=True),
        summary="Save my scores (all or nothing)",
    )
    @action(detail=True, methods=["get", "put"])
    def scores(self, request, pk=None):
        assignment = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(request, assignment)
        if request.method == "PUT":
            incoming = ScoreInSerializer(data=request.data, many=True)
            incoming.is_valid(raise_exception=True)
            services.scores_save(
                assignment=assignment, scores=incoming.validated_data, actor=request.user
            )
        scores = assignment.scores.select_related("signal").order_by("signal__order")
        return Response(ScoreOutSerializer(scores, many=True).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses=AssignmentSerializer,
        summary="Submit my scorecard (every signal scored); only submitted scorecards count",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assignment = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(request, assignment)
        services.assignment_submit(assignment=assignment, actor=request.user)
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment).data)


router = SimpleRouter()
router.register("signals", SignalViewSet, basename="signal")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("panels", PanelViewSet, basename="panel")
router.register("rounds", RoundViewSet, basename="round")
router.register("assignments", AssignmentViewSet, basename="assignment")

api_urlpatterns = router.urls
