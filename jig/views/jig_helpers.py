"""What the JIG members' pages share: the access checks, a service's refusal as form errors,
and the answer an unsigned member gets for a meeting's content.

Two layers, as docs/jig-meetings.md says: the portal role (``Action.JIG_MEMBER_AREA``; 403
without it) and the JIG's own records (a current seat; a meeting's signed statement for its
content). A record that is not the person's to see is 404, so a page never reveals it exists.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import render

from commissioning import access

from .. import meeting_selectors as sel
from ..models import Meeting

A = access.Action


def require_member_area(user) -> None:
    """403 unless the person's role opens the members' area and they sit on a group now."""
    access.require(user, A.JIG_MEMBER_AREA)
    if not sel.seats(user).exists():
        raise PermissionDenied("Only members of a Joint Intelligence Group can see this.")


def meeting_or_404(user, pk: int) -> Meeting:
    """A meeting of a group the person sits on: 403 without the role, 404 otherwise."""
    access.require(user, A.JIG_MEMBER_AREA)
    return sel.meeting_for(user, pk)


def sign_first(request, meeting: Meeting):
    """None when the person may read the meeting's content; otherwise the 403 page that
    says to sign the meeting's confidentiality statement first."""
    if sel.meeting_content_allowed(request.user, meeting):
        return None
    return render(request, "jig/meetings/sign_first.html", {"meeting": meeting}, status=403)


def service_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """A service's ValidationError on the form: on the field it names (``rename`` maps the
    service's names to the form's) when the form has it, otherwise at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            name = (rename or {}).get(name, name)
            form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)
    else:
        form.add_error(None, exc.messages)


def refused(request, exc: ValidationError) -> None:
    """A service's refusal of a one-button action, as messages on the next page."""
    for message in exc.messages:
        messages.error(request, message)


def querystring_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def posted(request, files: bool = False):
    """The form's data when it was sent (even empty, so a blank form shows its errors), else None."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST
