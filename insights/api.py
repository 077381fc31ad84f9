"""REST API of the insights reads, mounted under /api/v1/ by config.api at the paths they
have always had: ``journeys/{id}/map/`` and ``budgets/fiscal-years/{id}/summary/``.

The map is ``insights.selectors.journey_map`` and the summary
``insights.dashboard.executive_summary``: the same computations as the pages.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import FiscalYear
from budgets.selectors import jsonable
from core.drf import RulesPermission
from insights import selectors
from insights.dashboard import executive_summary
from insights.serializers import JourneyMapSerializer, MapQuerySerializer, SummarySerializer
from journeys.models import Journey


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
        return Response(JourneyMapSerializer(data).data)


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
    def get(self, request: Request, pk: int) -> Response:
        fiscal_year = self.get_object()
        return Response(jsonable(executive_summary(fiscal_year).as_dict()))


api_urlpatterns = [
    path("journeys/<int:pk>/map/", JourneyMapView.as_view(), name="journey-map"),
    path(
        "budgets/fiscal-years/<int:pk>/summary/",
        FiscalYearSummaryView.as_view(),
        name="fiscal-year-summary",
    ),
]
