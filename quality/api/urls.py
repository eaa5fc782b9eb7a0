from rest_framework.routers import DefaultRouter

from . import action_plans, views, visit_reports, visits


def register(router: DefaultRouter) -> None:
    """Monthly returns, and quality monitoring visits with their reports and action plans."""
    router.register("returns", views.MonthlyReturnViewSet, basename="monthlyreturn")
    router.register("visit-frameworks", visits.FrameworkVersionViewSet, basename="frameworkversion")
    router.register("visits", visits.VisitViewSet, basename="visit")
    router.register("visit-comments", visit_reports.CommentViewSet, basename="visitcomment")
    router.register("action-plans", action_plans.ActionPlanViewSet, basename="actionplan")
    router.register("plan-actions", action_plans.PlanActionViewSet, basename="planaction")
    router.register("report-pdfs", visit_reports.ReportPdfViewSet, basename="reportpdf")
