"""REST API of the journeys app, mounted under /api/v1/ by config.api.

``journeys/`` and ``journeys/{id}/`` — staff only (customers 403). The map of a journey
(``journeys/{id}/map/``) is an insights read: ``insights.api``.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.routers import SimpleRouter

from core.drf import RulesPermission
from journeys.models import Journey, Stage
from journeys.serializers import JourneySerializer


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
        return Journey.objects.prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("order", "id"))
        ).order_by("-is_default", "name", "id")


router = SimpleRouter()
router.register("journeys", JourneyViewSet, basename="journey")

api_urlpatterns = router.urls
