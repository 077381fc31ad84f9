"""REST API of the ideas app, mounted under /api/v1/ by config.api.

Every write calls a service (ideas.services, ideas.engagement); every read starts from ``Idea.objects.visible_to``, so an
idea the caller may not see is a 404, never a 403 that would reveal it exists.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.throttle import limited_by
from core.drf import RulesPermission
from core.exceptions import Conflict
from core.web import require_perm
from ideas import engagement, moderation, search, services
from ideas.evidence import evidence_add, evidence_visible
from ideas.filters import IdeaFilter
from ideas.models import Campaign, Idea, Status
from ideas.pagination import EstimatedPageNumberPagination
from ideas.selectors import visible_comments
from ideas.serializers import (
    CampaignSerializer,
    CommentSerializer,
    CommentWriteSerializer,
    EvidenceSerializer,
    EvidenceWriteSerializer,
    FlagSerializer,
    FlagWriteSerializer,
    IdeaManageWriteSerializer,
    IdeaSerializer,
    IdeaWriteSerializer,
    SimilarIdeaSerializer,
    SupportStateSerializer,
    TransitionSerializer,
    TransitionWriteSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Ideas the caller may see, filtered and sorted"),
    retrieve=extend_schema(summary="One idea"),
)
class IdeaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # non-numeric ids are a 404, never a 500
    serializer_class = IdeaSerializer
    permission_classes = [IsAuthenticated, RulesPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = IdeaFilter
    # ``count`` is the planner's estimate for lists of 10,000+ ideas (ideas.pagination).
    pagination_class = EstimatedPageNumberPagination
    rules_permissions = {
        "list": "ideas.view_board",
        "similar": "ideas.view_board",
        "create": "ideas.add_idea",
        "retrieve": "ideas.view_idea",
        "partial_update": "ideas.change_idea",
        # These check the precise permission per method below / in the service.
        "support": "ideas.view_idea",
        "comments": "ideas.view_idea",
        "transitions": "ideas.view_idea",
        "evidence": "ideas.view_idea",
        "flag": "ideas.view_idea",
        "flag_comment": "ideas.view_idea",
    }

    def get_queryset(self):
        if self.action == "support":
            # A support needs only what the rules read (author, status, the campaign's
            # audience), not the idea's texts and search vector.
            return (
                Idea.objects.visible_to(self.request.user)
                .select_related("campaign")
                .only(
                    "id", "author_id", "status", "moderation", "campaign_id", "campaign__audience"
                )
            )
        return (
            Idea.objects.visible_to(self.request.user)
            .select_related("campaign", "owner", "author")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=IdeaWriteSerializer, responses={201: IdeaSerializer})
    @method_decorator(limited_by("idea_submit"))
    def create(self, request):
        data = IdeaWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        draft = values.pop("status") == Status.DRAFT
        idea = services.idea_submit(author=request.user, draft=draft, **values)
        idea = self.get_queryset().get(pk=idea.pk)
        return Response(
            IdeaSerializer(idea, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=IdeaWriteSerializer, responses=IdeaSerializer)
    @transaction.atomic
    def partial_update(self, request, pk=None):
        """Content changes go to ``idea_update``; ``type_confirmed``/``horizon_confirmed``
        to the manager's confirmation (with the type and horizon sent alongside, else the
        current ones); the expected value at approval to ``idea_set_expected_value``. All or
        nothing: a refused part (403 for the manager-only fields) writes none of them."""
        idea = self.get_object()
        data = IdeaWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        manage = IdeaManageWriteSerializer(data=request.data, partial=True)
        manage.is_valid(raise_exception=True)
        managed = {k: v for k, v in manage.validated_data.items() if k in request.data}
        changes = {k: v for k, v in data.validated_data.items() if k in request.data}
        changes.pop("status", None)  # status moves only through transitions
        confirm = {k: managed[k] for k in manage.CONFIRM if k in managed}
        if confirm:
            services.idea_confirm_type(
                idea=idea,
                actor=request.user,
                innovation_type=changes.pop("innovation_type", idea.innovation_type),
                horizon=changes.pop("horizon", idea.horizon),
                type_confirmed=confirm.get("type_confirmed", idea.type_confirmed),
                horizon_confirmed=confirm.get("horizon_confirmed", idea.horizon_confirmed),
            )
        value = {k: managed[k] for k in manage.VALUE if k in managed}
        if value:
            current = {k: getattr(idea, k) for k in manage.VALUE}
            services.idea_set_expected_value(idea=idea, actor=request.user, **(current | value))
        if changes or not (confirm or value):
            services.idea_update(idea=idea, actor=request.user, **changes)
        idea = self.get_queryset().get(pk=idea.pk)
        return Response(IdeaSerializer(idea, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Support (POST) or withdraw the support (DELETE); both idempotent",
        request=None,
        responses=SupportStateSerializer,
    )
    # No filter backends: a detail write has nothing to filter (a FilterSet per request
    # was ~10% of a toggle's server time).
    @action(detail=True, methods=["post", "delete"], filter_backends=[])
    @method_decorator(limited_by("support"))
    def support(self, request, pk=None):
        supported = request.method == "POST"
        # PostgreSQL: visibility, permission and write in one statement that returns the
        # counters after it (no read of the idea, no re-read). Otherwise, or when that
        # statement refused, the checked path: read the idea (404), ask the rules (403).
        state = engagement.support_set_visible(
            idea_id=int(pk), user=request.user, supported=supported
        )
        if state is None:
            idea = self.get_object()
            state = engagement.support_set(idea=idea, user=request.user, supported=supported)
        return Response(
            {
                "supported": supported,
                "supports_employees": state.supports_employees,
                "supports_customers": state.supports_customers,
            }
        )

    @extend_schema(
        methods=["GET"],
        summary="Comments the caller may read",
        responses=CommentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a comment (internal: employees only)",
        request=CommentWriteSerializer,
        responses={201: CommentSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    @method_decorator(limited_by("comment"))
    def comments(self, request, pk=None):
        idea = self.get_object()
        if request.method == "POST":
            data = CommentWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = engagement.comment_add(idea=idea, author=request.user, **data.validated_data)
            context = {"request": request, "idea": idea}
            return Response(
                CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(visible_comments(idea, request.user))
        context = {"request": request, "idea": idea}
        return self.get_paginated_response(CommentSerializer(page, many=True, context=context).data)

    @extend_schema(
        methods=["GET"], summary="The status history", responses=TransitionSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Move the idea; 409 with the reason when the graph or a gate refuses",
        request=TransitionWriteSerializer,
        responses={201: TransitionSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request, pk=None):
        idea = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            page = self.paginate_queryset(idea.transitions.select_related("actor"))
            return self.get_paginated_response(
                TransitionSerializer(page, many=True, context=context).data
            )
        data = TransitionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to = data.validated_data["to"]
        user = request.user
        own_draft = to == Status.SUBMITTED and user.has_perm("ideas.submit_draft", idea)
        if not (own_draft or user.has_perm("ideas.transition_idea", idea)):
            raise PermissionDenied
        if to == Status.MERGED:
            raise Conflict("Use merge to move an idea into another one.", code="merge")
        transition = services.idea_transition(
            idea=idea,
            to=to,
            actor=user,
            reason=data.validated_data["reason"],
            internal_note=data.validated_data["internal_note"],
            override=data.validated_data["override"],
        )
        return Response(
            TransitionSerializer(transition, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["GET"],
        summary="Evidence of the need the caller may read (customers: their own)",
        responses=EvidenceSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add evidence (authors, owners, managers; a customer adds their own story, "
        "kind other)",
        request=EvidenceWriteSerializer,
        responses={201: EvidenceSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def evidence(self, request, pk=None):
        idea = self.get_object()
        if request.method == "POST":
            # Refuse before validating: a 400 would tell a caller who may not add evidence
            # what the data should look like.
            require_perm(request.user, "ideas.add_evidence", idea)
            data = EvidenceWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            item = evidence_add(idea=idea, added_by=request.user, **data.validated_data)
            context = {"request": request, "idea": idea}
            return Response(
                EvidenceSerializer(item, context=context).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(evidence_visible(idea=idea, user=request.user))
        context = {"request": request, "idea": idea}
        return self.get_paginated_response(
            EvidenceSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        summary="Flag the idea for a moderator (one open flag per person; 409 for a second)",
        request=FlagWriteSerializer,
        responses={201: FlagSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @method_decorator(limited_by("comment"))
    def flag(self, request, pk=None):
        idea = self.get_object()
        require_perm(request.user, "ideas.flag_content", idea)
        data = FlagWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = moderation.flag_add(user=request.user, content=idea, **data.validated_data)
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Flag one of the idea's comments for a moderator",
        request=FlagWriteSerializer,
        responses={201: FlagSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"comments/(?P<comment_id>\d+)/flag",
        filter_backends=[],
    )
    @method_decorator(limited_by("comment"))
    def flag_comment(self, request, pk=None, comment_id=None):
        idea = self.get_object()
        comment = get_object_or_404(visible_comments(idea, request.user), pk=comment_id)
        require_perm(request.user, "ideas.flag_content", comment)
        data = FlagWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = moderation.flag_add(user=request.user, content=comment, **data.validated_data)
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Possible duplicates of a title or need (up to 5)",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses=SimilarIdeaSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request):
        q = request.query_params.get("q", "")
        ideas = search.similar_to(Idea.objects.visible_to(request.user), q, limit=5)
        return Response(SimilarIdeaSerializer(ideas, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Campaigns the caller may see"),
    retrieve=extend_schema(summary="One campaign"),
)
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = [IsAuthenticated, RulesPermission]
    filter_backends = []
    lookup_field = "slug"
    rules_permissions = {"list": "ideas.view_board", "retrieve": "ideas.view_campaign"}

    def get_queryset(self):
        return (
            Campaign.objects.visible_to(self.request.user)
            .with_counts()
            .prefetch_related("target_stages")
            .order_by("-opens_at", "id")
        )


router = SimpleRouter()
router.register("ideas", IdeaViewSet, basename="idea")
router.register("campaigns", CampaignViewSet, basename="campaign")

api_urlpatterns = router.urls
