"""REST API of the feedback app, mounted under /api/v1/feedback/ by config.api.

Staff read; innovation managers write (the JSON upsert and file imports). Customers get 403.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.drf import RulesPermission
from feedback import services
from feedback.models import Channel, FeedbackItem, ImportBatch
from feedback.serializers import (
    FeedbackItemSerializer,
    FeedbackItemWriteSerializer,
    ImportBatchSerializer,
    ImportUploadSerializer,
    UpsertResultSerializer,
)
from ideas.pagination import EstimatedPageNumberPagination


class FeedbackFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="Full-text search")
    channel = filters.ChoiceFilter(choices=Channel.choices)
    stage = filters.NumberFilter(field_name="stage_id")
    received_after = filters.DateFilter(field_name="received_on", lookup_expr="gte")

    class Meta:
        model = FeedbackItem
        fields = ["q", "channel", "stage", "received_after"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


@extend_schema_view(list=extend_schema(summary="Feedback items, newest first (staff)"))
class FeedbackViewSet(viewsets.GenericViewSet):
    serializer_class = FeedbackItemSerializer
    permission_classes = [IsAuthenticated, RulesPermission]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = FeedbackFilter
    # ``count`` is the planner's estimate for lists of 10,000+ items (ideas.pagination), as
    # in the idea list: an exact COUNT of every item grew with the table.
    pagination_class = EstimatedPageNumberPagination
    rules_permissions = {"list": "feedback.view_feedback", "create": "feedback.import_feedback"}

    def get_queryset(self):
        return FeedbackItem.objects.order_by("-received_on", "-id")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Upsert up to 1,000 items by (source, external_id); all or nothing",
        request=FeedbackItemWriteSerializer(many=True),
        responses=UpsertResultSerializer,
    )
    def create(self, request):
        if not isinstance(request.data, list):
            raise ValidationError({"items": ["Send a JSON list of items."]})
        counts = services.items_upsert(items=request.data, actor=request.user)
        return Response(counts, status=status.HTTP_200_OK)


class ImportViewSet(viewsets.GenericViewSet):
    serializer_class = ImportBatchSerializer
    permission_classes = [IsAuthenticated, RulesPermission]
    filter_backends = []
    rules_permissions = {
        "create": "feedback.import_feedback",
        "retrieve": "feedback.import_feedback",
    }

    def get_queryset(self):
        return ImportBatch.objects.all()

    @extend_schema(
        summary="Import a CSV or XLSX file (runs in the background; poll the import)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportBatchSerializer},
    )
    def create(self, request):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        # One transaction: a refused mapping leaves no batch behind; the import is queued
        # when it commits.
        with transaction.atomic():
            batch = services.batch_create(
                file=data["file"], default_source=data.get("source", ""), actor=request.user
            )
            batch = services.batch_start(
                batch=batch,
                mapping=data.get("mapping") or batch.mapping,
                default_source=data.get("source", ""),
                actor=request.user,
            )
        batch.refresh_from_db()  # without a broker the import ran at commit: report it
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="One import's status and counts")
    def retrieve(self, request, pk=None):
        batch = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(request, batch)
        return Response(ImportBatchSerializer(batch).data)


api_urlpatterns = [
    path(
        "feedback/",
        FeedbackViewSet.as_view({"get": "list", "post": "create"}),
        name="feedback-list",
    ),
    path("feedback/imports/", ImportViewSet.as_view({"post": "create"}), name="import-list"),
    path(
        "feedback/imports/<int:pk>/",
        ImportViewSet.as_view({"get": "retrieve"}),
        name="import-detail",
    ),
]
