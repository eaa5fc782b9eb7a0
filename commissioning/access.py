"""The one place that decides what each user may see and do.

Every page, API endpoint, export and PDF asks this module, never the request or the
role directly:

* ``allowed(user, action)``: may this user do this kind of thing at all?
* ``restrict(queryset, user, action)``: only the rows this user may act on.
* ``get_object_or_404(queryset, user, action, **lookup)``: one row, or 404 when it is
  missing *or* not visible, so a page never reveals that another home exists.

A model joins the scheme by declaring ``access_home_path``: the lookup prefix from the
model to the care home it belongs to (``""`` for the home itself, ``"care_home__"`` for a
return or a rating). The rules per membership:

* council (local authority) staff see the homes in their council's area;
* NHS commissioner staff see the homes their commissioner is responsible for, and an ICB
  also those of its sub-ICB locations;
* care home managers see their provider's homes, or only the homes named in their
  membership; never another provider's;
* staff of ambulance trusts, acute trusts and other partners see the homes of the area the
  deployment serves (the councils marked as served);
* administrators and superusers see everything.

A model may narrow this further per membership with a classmethod
``access_row_q(membership) -> Q | None``: the rows, among the homes the membership reaches,
that it may see (``None``: all of them). Quality monitoring visits use it so that a
provider's staff never see a report before it is shared with them, and people who do not
carry out visits see only published reports (``quality.models.visits.VisitScoped``).

A model marked ``access_confidential = True`` is not opened to administrators and superusers
by their role: its ``access_row_q`` decides for them as for anyone. The JIG's soft
intelligence is one (only current JIG members read it); the JIG's meetings are decided by
``jig.meeting_selectors``, as membership of a group and a signed confidentiality statement
are the JIG's own records.
"""

from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .choices import OrganisationKind, Role


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    EXPORT = "export"
    IMPORT = "import"
    USE_API = "use_api"
    SUBMIT_RETURN = "submit_return"
    MONITOR = "monitor"  # area-wide views: return compliance, comparing homes
    READ_RISK = "read_risk"  # risk ratings and the feeds behind them (not care home managers)
    SEND_FEED = "send_feed"  # ambulance and hospital feeds, sent as the user's trust
    VISIT = "visit"  # plan, carry out and report quality monitoring visits; verify actions
    RESPOND_TO_REPORT = "respond_to_report"  # providers: comment on a shared report, action plans
    SENIOR_REVIEW = "senior_review"  # review a report whose findings the provider disputes
    # The JIG's members' area: meetings, the dashboard, soft intelligence, actions. Each read
    # also needs a current JIG membership (and a meeting's content a signed statement):
    # jig.meeting_selectors.
    JIG_MEMBER_AREA = "jig_member_area"
    CHAIR_JIG = "chair_jig"  # run a JIG meeting: open, close, flag homes, ask for deep dives


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.COMMISSIONER: frozenset({Action.VIEW, Action.CHANGE, Action.EXPORT, Action.IMPORT,
                                  Action.USE_API, Action.MONITOR, Action.READ_RISK, Action.VISIT}),
    Role.QUALITY_OFFICER: frozenset({Action.VIEW, Action.EXPORT, Action.USE_API, Action.MONITOR,
                                     Action.READ_RISK, Action.VISIT}),
    Role.SENIOR_QUALITY_OFFICER: frozenset({Action.VIEW, Action.EXPORT, Action.USE_API, Action.MONITOR,
                                            Action.READ_RISK, Action.VISIT, Action.SENIOR_REVIEW}),
    Role.CARE_HOME_MANAGER: frozenset({Action.VIEW, Action.EXPORT, Action.USE_API,
                                       Action.SUBMIT_RETURN, Action.RESPOND_TO_REPORT}),
    Role.JIG_CHAIR: frozenset({Action.VIEW, Action.EXPORT, Action.USE_API, Action.MONITOR,
                               Action.READ_RISK, Action.JIG_MEMBER_AREA, Action.CHAIR_JIG}),
    Role.JIG_MEMBER: frozenset({Action.VIEW, Action.USE_API, Action.MONITOR, Action.READ_RISK,
                                Action.JIG_MEMBER_AREA}),
    Role.PARTNER_SYSTEM: frozenset({Action.VIEW, Action.USE_API, Action.READ_RISK, Action.SEND_FEED}),
    Role.ADMINISTRATOR: frozenset(Action),
}

AREA_WIDE_KINDS = {OrganisationKind.AMBULANCE_TRUST, OrganisationKind.ACUTE_TRUST,
                   OrganisationKind.OTHER_PARTNER}


def memberships(user) -> list:
    """The user's active memberships, loaded once per user object (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = list(
            user.memberships.filter(is_active=True, organisation__is_archived=False)
            .select_related("organisation")
            .prefetch_related("care_homes")
        )
        user._portal_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def is_unrestricted(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (
        user.is_superuser or Role.ADMINISTRATOR in roles(user)))


def allowed(user, action: Action) -> bool:
    """Whether the user may take this action on anything at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(action in ROLE_ACTIONS.get(m.role, ()) for m in memberships(user))


def membership_homes_q(membership, prefix: str = "") -> Q:
    """The homes one membership reaches, as a Q on a model ``prefix`` away from the home.

    ``restrict`` uses it for the signed-in user; work done on an organisation's behalf
    (such as the weekly digest to its commissioners) uses it directly.
    """
    org = membership.organisation
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Q(**{f"{prefix}local_authority": org.pk})
    if org.kind == OrganisationKind.NHS_COMMISSIONER:
        return Q(**{f"{prefix}nhs_commissioner": org.pk}) | Q(
            **{f"{prefix}nhs_commissioner__parent": org.pk})
    if org.kind == OrganisationKind.CARE_PROVIDER:
        if membership.role == Role.CARE_HOME_MANAGER and not membership.all_provider_homes:
            home_ids = [home.pk for home in membership.care_homes.all()]
            return Q(**{f"{prefix}pk__in": home_ids}, **{f"{prefix}provider": org.pk})
        return Q(**{f"{prefix}provider": org.pk})
    if org.kind in AREA_WIDE_KINDS:
        return Q(**{f"{prefix}local_authority__is_served": True})
    return Q(pk__in=[])


def require(user, action: Action) -> None:
    """For views: 403 unless the user may take this action on something."""
    if not allowed(user, action):
        raise PermissionDenied


def _organisation_q(user, action: Action) -> Q:
    """Providers' staff see their own organisation and the public bodies, not other providers."""
    q = Q(pk__in=[])
    for m in memberships(user):
        if action not in ROLE_ACTIONS.get(m.role, ()):
            continue
        if m.organisation.kind == OrganisationKind.CARE_PROVIDER:
            q |= Q(pk=m.organisation_id) | ~Q(kind=OrganisationKind.CARE_PROVIDER)
        else:
            return Q()
    return q


def restrict(queryset: QuerySet, user, action: Action = Action.VIEW) -> QuerySet:
    """Only the rows of ``queryset`` that ``user`` may take ``action`` on."""
    if not allowed(user, action):
        return queryset.none()
    model = queryset.model
    if is_unrestricted(user) and not getattr(model, "access_confidential", False):
        return queryset
    from .models import Organisation  # local: models import nothing from here

    if issubclass(model, Organisation):
        return queryset.filter(_organisation_q(user, action))
    prefix = getattr(model, "access_home_path", None)
    if prefix is None:
        raise ImproperlyConfigured(
            f"{model.__name__} declares no access_home_path, so access cannot decide who sees it."
        )
    row_q = getattr(model, "access_row_q", None)
    q = Q(pk__in=[])
    for m in memberships(user):
        if action in ROLE_ACTIONS.get(m.role, ()):
            homes_q = membership_homes_q(m, prefix)
            narrower = row_q(m) if row_q else None
            q |= homes_q if narrower is None else homes_q & narrower
    return queryset.filter(q)


def get_object_or_404(queryset: QuerySet, user, action: Action = Action.VIEW, **lookup) -> Model:
    """One visible row, or 404 whether it is missing or merely not this user's to see."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("Not found") from exc


def can(user, action: Action, obj: Model) -> bool:
    """Whether the user may take ``action`` on this one object."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def primary_role(user) -> str | None:
    """The role that decides the landing page: the broadest one the user holds."""
    if is_unrestricted(user):
        return Role.ADMINISTRATOR
    order = [Role.COMMISSIONER, Role.SENIOR_QUALITY_OFFICER, Role.QUALITY_OFFICER, Role.JIG_CHAIR,
             Role.JIG_MEMBER, Role.CARE_HOME_MANAGER, Role.PARTNER_SYSTEM]
    held = roles(user)
    return next((r for r in order if r in held), None)
