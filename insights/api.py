"""REST API of the insights reads, mounted under /api/v1/ by config.api at the paths they
have always had: ``journeys/{id}/map/`` and ``budgets/fiscal-years/{id}/summary/``; the
portfolio and panel accuracy under ``insights/``, with ``insights/accuracy/apply/`` for a
manager to turn the suggested weights into a new scorecard version.

The map is ``insights.selectors.journey_map`` and the summary
``insights.dashboard.executive_summary``: the same computations as the pages. Each is a
report: it reads the replica when one is configured (``core.db.report_read``) and says how
current its data is in ``as_of``.
"""

from django.db.models import Prefetch
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import FiscalYear
from budgets.selectors import jsonable
from core.db import as_of, report_read
from core.drf import RulesPermission
from insights import accuracy, portfolio, selectors, services
from insights.dashboard import executive_summary
from insights.serializers import (
    AccuracySerializer,
    JourneyMapSerializer,
    MapQuerySerializer,
    PortfolioQuerySerializer,
    PortfolioSerializer,
    SummarySerializer,
)
from journeys.models import Journey
from scoring.models import Scorecard, ScorecardSignal
from scoring.serializers import ScorecardSerializer


class JourneyMapView(GenericAPIView):
    queryset = Journey.objects.all()  # the map reads the stages itself
    serializer_class = JourneyMapSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "insights.view_journey_map"}
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="The journey map: live ideas, mean score, money and gaps per stage",
        parameters=[
            OpenApiParameter("campaign", int, description="Only ideas of this campaign."),
            OpenApiParameter(
                "fiscal_year", int, description="Only allocations of this fiscal year."
            ),
        ],
        responses=JourneyMapSerializer,
    )
    @report_read
    def get(self, request: Request, pk: int) -> Response:
        journey = self.get_object()
        query = MapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = selectors.journey_map(
            journey=journey,
            viewer=request.user,
            campaign=query.validated_data.get("campaign"),
            fiscal_year=query.validated_data.get("fiscal_year"),
        )
        return Response(JourneyMapSerializer({**data, "as_of": as_of()}).data)


class FiscalYearSummaryView(GenericAPIView):
    queryset = FiscalYear.objects.all()
    serializer_class = SummarySerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "insights.view_dashboard"}
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="The dashboard's numbers for this fiscal year", responses=SummarySerializer
    )
    @report_read
    def get(self, request: Request, pk: int) -> Response:
        fiscal_year = self.get_object()
        summary = executive_summary(fiscal_year).as_dict()
        return Response(jsonable({**summary, "as_of": as_of()}))


class PortfolioView(GenericAPIView):
    serializer_class = PortfolioSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "insights.view_portfolio"}
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="What the innovation money of a fiscal year bought",
        parameters=[
            OpenApiParameter(
                "fiscal_year",
                int,
                description="The fiscal year (default: the one containing today, else the latest).",
            )
        ],
        responses=PortfolioSerializer,
    )
    @report_read
    def get(self, request: Request) -> Response:
        query = PortfolioQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("fiscal_year")
        try:
            _, fy = portfolio.chosen_year(wanted)
        except portfolio.NoSuchYear:
            raise NotFound("No such fiscal year.") from None
        if fy is None:
            raise NotFound("There is no fiscal year yet.")
        data = portfolio.portfolio(fy)
        return Response(jsonable({**data, "as_of": as_of()}))


class AccuracyView(GenericAPIView):
    serializer_class = AccuracySerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "insights.view_accuracy"}
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="Panel accuracy: Spearman's rho between panel scores and experiment outcomes",
        responses=AccuracySerializer,
    )
    @report_read
    def get(self, request: Request) -> Response:
        data = {**accuracy.latest_figures(), "as_of": as_of()}
        return Response(AccuracySerializer(data).data | {"scorecard": data.get("scorecard")})


class AccuracyApplyView(GenericAPIView):
    """Turn the stored suggestion into a new scorecard version (the same service as the
    accuracy page's button). No body: the weights are the ones the figures suggest."""

    serializer_class = ScorecardSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "scoring.manage_scorecards"}
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="Create a scorecard version from the suggested weights",
        description=(
            "The new version keeps the gate threshold and minimums of the scorecard the figures "
            "were computed for, takes the suggested weights (signals with weight 0 are left "
            "out) and becomes the default for new rounds; rounds already held keep theirs. "
            "409 `no_suggestion` before there is a suggestion."
        ),
        request=None,
        responses={201: ScorecardSerializer},
    )
    def post(self, request: Request) -> Response:
        version = services.accuracy_suggestion_apply(actor=request.user)
        scorecard = Scorecard.objects.prefetch_related(
            Prefetch("weights", queryset=ScorecardSignal.objects.select_related("signal"))
        ).get(pk=version.pk)
        return Response(ScorecardSerializer(scorecard).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("insights/portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("insights/accuracy/", AccuracyView.as_view(), name="accuracy"),
    path("insights/accuracy/apply/", AccuracyApplyView.as_view(), name="accuracy-apply"),
    path("journeys/<int:pk>/map/", JourneyMapView.as_view(), name="journey-map"),
    path(
        "budgets/fiscal-years/<int:pk>/summary/",
        FiscalYearSummaryView.as_view(),
        name="fiscal-year-summary",
    ),
]
