"""The landing page for each role, and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.authtoken.models import Token

from . import access
from .choices import Role


@login_required
def home(request):
    """Each role lands where its work is."""
    from carehomes.selectors import area_summary, carehomes_visible_to, cqc_imports_visible_to

    user = request.user
    role = access.primary_role(user)
    context = {"role": role, "memberships": access.memberships(user),
               "role_label": Role(role).label if role else None}
    if role == Role.CARE_HOME_MANAGER:
        context["homes"] = carehomes_visible_to(user)[:50]
    elif role == Role.PARTNER_SYSTEM:
        context["has_token"] = Token.objects.filter(user=user).exists()
    elif role:
        context["summary"] = area_summary(carehomes_visible_to(user))
        context["latest_import"] = cqc_imports_visible_to(user).first()
    return render(request, "commissioning/home.html", context)


def health(request):
    """For load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
