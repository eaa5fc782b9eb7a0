"""Pages: the matching queue of feed records whose care home is not known, and its rules.

People who read risk see the queue (senders only their own trust's records); people who may
change things (commissioners, administrators) resolve a key, which ``match_rule_save``
remembers for the records that arrive with it later.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access

from .. import feed_selectors as selectors
from ..feed_forms import HomeSearchForm, MatchResolveForm
from ..feeds.codes import FeedKind
from ..loading import describe_key
from ..services import match_rule_save

PAGE_SIZE = 25


@login_required
@require_GET
def matching_queue(request):
    access.require(request.user, access.Action.READ_RISK)
    keys = selectors.matching_queue(request.user)
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jig/matching_queue.html", {
        "page_obj": page, "keys": page.object_list, "querystring_without_page": "",
        "records_waiting": sum(k.total for k in keys), "kinds": FeedKind.choices,
        "can_resolve": access.allowed(request.user, access.Action.CHANGE),
    })


@login_required
@require_GET
def matching_rules(request):
    access.require(request.user, access.Action.READ_RISK)
    page = Paginator(selectors.match_rules(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for rule in page.object_list:
        rule.description = describe_key(rule.match_key)
    return render(request, "jig/matching_rules.html", {
        "page_obj": page, "rules": page.object_list, "querystring_without_page": "",
        "can_resolve": access.allowed(request.user, access.Action.CHANGE),
    })


@login_required
@require_http_methods(["GET", "POST"])
def matching_resolve(request):
    """Choose the home for one key: search, then a radio list of candidates (or none of ours)."""
    access.require(request.user, access.Action.READ_RISK)
    access.require(request.user, access.Action.CHANGE)
    key = (request.POST if request.method == "POST" else request.GET).get("key", "")
    if not key:
        raise Http404("No key")
    queue_key = selectors.matching_key_for(request.user, key)
    rule = selectors.match_rule_for(key)
    search = HomeSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if request.method == "POST":
        query = request.POST.get("q", "")
    candidates = selectors.match_candidates(request.user, queue_key, query)
    chosen = request.POST.get("choice", "")
    if chosen.isdigit() and all(str(home.pk) != chosen for home in candidates):
        candidates += selectors.match_homes(request.user, [int(chosen)])
    if rule and rule.care_home_id and all(home.pk != rule.care_home_id for home in candidates):
        candidates[:0] = selectors.match_homes(request.user, [rule.care_home_id])  # only if theirs to see
    form = MatchResolveForm(request.POST or None, candidates=candidates,
                            initial={"note": rule.note if rule else ""})
    if request.method == "POST" and form.is_valid():
        home = form.care_home
        try:
            resolved = match_rule_save(match_key=key, care_home=home, user=request.user,
                                       note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("choice", exc)
        else:
            messages.success(request, _outcome(resolved, home))
            return redirect("jig:matching-queue")
    return render(request, "jig/matching_resolve.html", {
        "queue_key": queue_key, "rule": rule, "search": search, "query": query, "form": form,
        "candidates": candidates, "records": selectors.matching_records(request.user, key),
        "kinds": FeedKind,
    })


def _outcome(resolved: int, home) -> str:
    records = f"{resolved:,} record{'' if resolved == 1 else 's'}"
    if home is None:
        return f"{records} marked as not for one of our homes. Records sent with this key later will be too."
    if not resolved:
        return f"Saved: records sent with this key will be matched to {home.name}."
    return f"{records} matched to {home.name}; its rating will be recomputed."


urlpatterns = [
    path("feeds/matching/", matching_queue, name="matching-queue"),
    path("feeds/matching/rules/", matching_rules, name="matching-rules"),
    path("feeds/matching/resolve/", matching_resolve, name="matching-resolve"),
]
