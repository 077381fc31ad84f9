"""REST API of the journeys app, mounted under /api/v1/ by config.api.

``journeys/``, ``journeys/{id}/`` and ``journeys/{id}/map/`` — staff only (customers 403).
The map is ``journeys.selectors.journey_map``, the same computation as the page.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.drf import RulesPermission
from journeys import selectors
from journeys.models import Journey, Stage
from journeys.serializers import JourneyMapSerializer, JourneySerializer, MapQuerySerializer


@extend_schema_view(
    list=extend_schema(summary="List journeys with their stages"),
    retrieve=extend_schema(summary="One journey with its stages"),
)
class JourneyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    serializer_class = JourneySerializer
    permission_classes = [RulesPermission]
    rules_permissions = {"default": "journeys.view_map"}
    filter_backends: list = []

    def get_queryset(self):
        if self.action == "map":
            return Journey.objects.all()  # the map reads stages itself
        return Journey.objects.prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("order", "id"))
        ).order_by("-is_default", "name", "id")

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
    @action(detail=True, methods=["get"], url_path="map")
    def map(self, request: Request, pk=None) -> Response:
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


router = SimpleRouter()
router.register("journeys", JourneyViewSet, basename="journey")

api_urlpatterns = router.urls
