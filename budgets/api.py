"""REST API of the budgets app, mounted under /api/v1/budgets/ by config.api.

``fiscal-years/`` (its ``{id}/summary/`` is an insights read: ``insights.api``), ``allocations/`` (+ ``{id}/release/``), ``spends/``.
Executives and managers read; only managers write; employees and customers get 403.
Every write calls budgets.services; a budget conflict (overrun, idea not fundable, spend
beyond the allocation) or a refused workflow move is a 409.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from budgets import services
from budgets.models import Allocation, FiscalYear, Spend
from budgets.serializers import (
    AllocationCreateSerializer,
    AllocationSerializer,
    FiscalYearSerializer,
    SpendSerializer,
)
from core.drf import RulesPermission

CONFLICT = OpenApiResponse(description="Conflict with the budget's state (e.g. overrun).")


@extend_schema_view(
    list=extend_schema(summary="Fiscal years"),
    retrieve=extend_schema(summary="One fiscal year"),
    create=extend_schema(summary="Create a fiscal year (managers)"),
    partial_update=extend_schema(
        summary="Change a fiscal year (managers)",
        responses={200: FiscalYearSerializer, 409: CONFLICT},
    ),
)
class FiscalYearViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    serializer_class = FiscalYearSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {
        "list": "budgets.view_fiscalyear",
        "retrieve": "budgets.view_fiscalyear",
        "create": "budgets.manage_fiscalyear",
        "partial_update": "budgets.manage_fiscalyear",
        "update": "budgets.manage_fiscalyear",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = FiscalYear.objects.order_by("-starts_on", "id")
    filter_backends: list = []

    def perform_create(self, serializer):
        serializer.instance = services.fiscal_year_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.fiscal_year_update(
            fiscal_year=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )


@extend_schema_view(
    list=extend_schema(summary="Allocations (filter: fiscal_year, idea, status)"),
    retrieve=extend_schema(summary="One allocation"),
    create=extend_schema(
        summary="Allocate to an approved idea (managers); moves it to funded",
        request=AllocationCreateSerializer,
        responses={201: AllocationSerializer, 409: CONFLICT},
    ),
)
class AllocationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    serializer_class = AllocationSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {
        "list": "budgets.view_allocation",
        "retrieve": "budgets.view_allocation",
        "create": "budgets.add_allocation",
        "release": "budgets.release_allocation",
    }
    filterset_fields = ["fiscal_year", "idea", "status"]
    ordering_fields = ["id", "amount", "created_at"]

    def get_queryset(self):
        return Allocation.objects.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return AllocationCreateSerializer if self.action == "create" else AllocationSerializer

    def create(self, request: Request, *args, **kwargs) -> Response:
        incoming = AllocationCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        allocation = services.allocation_create(actor=request.user, **incoming.validated_data)
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Release a committed allocation (managers)",
        request=None,
        responses={200: AllocationSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk=None) -> Response:
        allocation = self.get_object()
        allocation = services.allocation_release(allocation=allocation, actor=request.user)
        return Response(AllocationSerializer(allocation).data)


@extend_schema_view(
    list=extend_schema(summary="Spend (filter: allocation, allocation__fiscal_year)"),
    retrieve=extend_schema(summary="One spend"),
    create=extend_schema(
        summary="Record spend against a committed allocation (managers)",
        responses={201: SpendSerializer, 409: CONFLICT},
    ),
)
class SpendViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    serializer_class = SpendSerializer
    permission_classes = [RulesPermission]
    rules_permissions = {
        "list": "budgets.view_spend",
        "retrieve": "budgets.view_spend",
        "create": "budgets.add_spend",
    }
    filterset_fields = ["allocation", "allocation__fiscal_year"]
    ordering_fields = ["id", "spent_on", "amount"]

    def get_queryset(self):
        return Spend.objects.order_by("-spent_on", "-id")

    def perform_create(self, serializer):
        serializer.instance = services.spend_record(
            actor=self.request.user, **serializer.validated_data
        )


router = SimpleRouter()
router.register("fiscal-years", FiscalYearViewSet, basename="fiscal-year")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("spends", SpendViewSet, basename="spend")

api_urlpatterns = router.urls
