"""The visits API: action plans after a Requires improvement or Poor rating, and their actions
(docs/visits.md). The provider adds actions and submits the plan, then starts and completes
actions; an officer verifies or reopens them; the plan closes when every action is verified."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..choices import ActionPlanStatus
from ..models import ActionPlan, ActionUpdate, PlanAction
from ..visit_filtersets import ActionPlanFilterSet, PlanActionFilterSet
from ..visits import selectors, services
from .visit_base import REFUSED, A, GapsSerializer, VisitApiMixin, standard_of
from .visit_serializers import (
    ActionPlanDetailSerializer,
    ActionPlanSerializer,
    PlanActionAddSerializer,
    PlanActionDetailSerializer,
    PlanActionMoveSerializer,
    PlanActionSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Action plans of the homes you can see"),
    retrieve=extend_schema(summary="One action plan: its shortfalls, what is missing, and its actions"),
)
class ActionPlanViewSet(VisitApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """A provider's plan to put a visit's shortfalls right, due 14 days after publication."""

    queryset = ActionPlan.objects.none()  # for the schema; rows come from the selector
    filterset_class = ActionPlanFilterSet
    ordering_fields = ["due_on", "submitted_on"]
    ordering = ["due_on", "pk"]
    write_access = {"actions": A.RESPOND_TO_REPORT, "submit": A.RESPOND_TO_REPORT}

    def get_queryset(self):
        plans = selectors.action_plans_visible_to(self.request.user).select_related(
            "visit__care_home__local_authority", "submitted_by")
        if self.action != "list":
            plans = plans.prefetch_related(Prefetch(
                "actions", queryset=PlanAction.objects.select_related("standard", "verified_by")))
        return plans

    def get_serializer_class(self):
        return ActionPlanSerializer if self.action == "list" else ActionPlanDetailSerializer

    def _plan_response(self, plan, code=status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        plan.shortfalls = services.action_plan_shortfalls(plan)
        plan.gaps = services.action_plan_gaps(plan) if plan.status == ActionPlanStatus.AWAITING else []
        return Response(ActionPlanDetailSerializer(plan, context=self.get_serializer_context()).data,
                        status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._plan_response(self.get_object())

    @extend_schema(summary="Add an action to put a shortfall right (provider)",
                   request=PlanActionAddSerializer, responses={201: PlanActionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        plan = self.get_object()
        body = self.body(PlanActionAddSerializer)
        added = services.plan_action_add(
            plan=plan, user=request.user, standard=standard_of(plan.visit, body["standard"]),
            description=body["description"], owner=body["owner"], target_on=body["target_on"])
        return Response(PlanActionSerializer(added).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Submit the plan (provider)",
                   description="400 with `gaps` until every shortfall has an action and every action an "
                               "owner and a target date.",
                   request=None, responses={200: ActionPlanDetailSerializer, 400: GapsSerializer,
                                            403: REFUSED[403], 404: REFUSED[404]})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._plan_response(services.action_plan_submit(plan=self.get_object(), user=request.user))


@extend_schema_view(
    list=extend_schema(summary="Actions of the plans you can see"),
    retrieve=extend_schema(summary="One action, with every change to it"),
)
class PlanActionViewSet(VisitApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Each action: who owns it, by when, and where it has got to."""

    queryset = PlanAction.objects.none()
    filterset_class = PlanActionFilterSet
    ordering_fields = ["target_on", "overdue_since", "modified_on"]
    ordering = ["plan", "target_on", "pk"]
    # Who may move an action depends on where it goes (the provider starts and completes, an
    # officer verifies and reopens): the service decides, with its message, as on the pages.
    write_access = {"move": A.VIEW}

    def get_queryset(self):
        actions = selectors.plan_actions_visible_to(self.request.user).select_related(
            "verified_by", "plan__visit__care_home__local_authority")
        if self.action != "list":
            actions = actions.prefetch_related(Prefetch(
                "updates", queryset=ActionUpdate.objects.select_related("by").order_by("on", "pk")))
        return actions

    def get_serializer_class(self):
        return PlanActionSerializer if self.action == "list" else PlanActionDetailSerializer

    @extend_schema(summary="Move an action along",
                   description="`in_progress` or `completed` (with `evidence`) by the provider; `verified` "
                               "or `reopened` (with a `note` saying why) by an officer. The plan closes "
                               "when every action is verified.",
                   request=PlanActionMoveSerializer, responses={200: PlanActionDetailSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        action_ = self.get_object()
        body = self.body(PlanActionMoveSerializer)
        services.plan_action_move(action=action_, user=request.user, **body)
        moved = self.get_queryset().get(pk=action_.pk)
        return Response(PlanActionDetailSerializer(moved, context=self.get_serializer_context()).data)

