"""Pages: sending a feed file, the feed formats, batch history and a batch's outcome.

Senders (partner users of an ambulance or acute trust) see their own trust's batches; people
who read risk elsewhere see every batch (``feed_selectors``). The matching queue's pages are
in ``matching``.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods

from commissioning import access
from commissioning.exports import csv_response
from commissioning.jobs import job_status_response

from .. import feed_selectors as selectors
from ..feed_filtersets import FeedBatchFilterSet
from ..feed_forms import FeedUploadForm
from ..feeds.codes import FeedKind
from ..feeds.formats import FORMATS
from ..services import MAX_API_RECORDS, feed_upload_create

PAGE_SIZE = 25
EXPORT_HEADER = ["Batch", "Received", "Feed", "Trust", "Sent as", "Sent by", "Status", "Identifiable data",
                 "Records received", "New", "Updated", "Unchanged", "Rejected", "Unmatched",
                 "Homes affected", "Checksum (SHA-256)", "Stage"]
EXAMPLES = settings.BASE_DIR / "fixtures" / "feeds"


def _require_feeds(user) -> None:
    if not selectors.can_see_feeds(user):
        raise PermissionDenied


@login_required
@require_GET
def feed_list(request):
    _require_feeds(request.user)
    batches = selectors.feed_batches_visible_to(request.user)
    filterset = FeedBatchFilterSet(request.GET or None, queryset=batches)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "jig/feed_list.html", {
        "filterset": filterset, "page_obj": page, "batches": page.object_list,
        "querystring_without_page": f"{params.urlencode()}&" if params else "",
        "can_send": access.allowed(request.user, access.Action.SEND_FEED),
        "can_read_risk": access.allowed(request.user, access.Action.READ_RISK),
        "can_export": access.allowed(request.user, access.Action.EXPORT),
    })


@login_required
@require_GET
def feed_export(request):
    """The batch list, with the same filters, as CSV: every batch, not one page."""
    _require_feeds(request.user)
    access.require(request.user, access.Action.EXPORT)
    batches = FeedBatchFilterSet(request.GET or None,
                                 queryset=selectors.feed_batches_visible_to(request.user)).qs

    def lines():
        for b in batches.iterator(chunk_size=2000):
            yield [b.pk, date_format(timezone.localtime(b.requested_on), "d/m/Y H:i"), b.get_kind_display(),
                   b.source.name, b.filename or b.get_channel_display(),
                   b.requested_by.email if b.requested_by else "", b.get_status_display(),
                   "Yes" if b.refused else "No", b.rows_received, b.rows_accepted, b.rows_updated,
                   b.rows_unchanged, b.rows_rejected, b.rows_unmatched, b.homes_affected, b.checksum,
                   b.stage]

    return csv_response(f"feed-batches-{timezone.localdate():%Y-%m-%d}.csv", EXPORT_HEADER, lines())


@login_required
@require_http_methods(["GET", "POST"])
def feed_upload(request):
    access.require(request.user, access.Action.SEND_FEED)
    bound = request.method == "POST"
    form = FeedUploadForm(request.POST if bound else None, request.FILES if bound else None,
                          user=request.user)
    if not form.fields["kind"].choices:
        raise PermissionDenied  # sends feeds, but for no trust that sends either kind
    if bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = feed_upload_create(kind=form.cleaned_data["kind"], source=form.cleaned_data["source"],
                                       filename=upload.name, content=upload.read(), user=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("jig:feed-detail", pk=batch.pk)
    return render(request, "jig/feed_upload.html", {"form": form, "kinds": FeedKind})


@login_required
@require_GET
def feed_formats(request):
    _require_feeds(request.user)
    formats = [(kind, FeedKind(kind).label, fmt) for kind, fmt in FORMATS.items()]
    return render(request, "jig/feed_formats.html", {
        "formats": formats, "max_records": MAX_API_RECORDS,
        "can_send": access.allowed(request.user, access.Action.SEND_FEED)})


@login_required
@require_GET
def feed_example(request, kind: str):
    """The example file of a feed, as in docs/feeds.md."""
    _require_feeds(request.user)
    if kind not in FeedKind.values:
        raise Http404("No such feed")
    name = f"{kind}-example.csv"
    return FileResponse((EXAMPLES / name).open("rb"), as_attachment=True, filename=name,
                        content_type="text/csv")


@login_required
@require_GET
def feed_detail(request, pk: int):
    _require_feeds(request.user)
    batch = selectors.feed_batch_for(request.user, pk)
    return render(request, "jig/feed_detail.html", {
        "batch": batch,
        "can_send": access.allowed(request.user, access.Action.SEND_FEED),
        "can_read_risk": access.allowed(request.user, access.Action.READ_RISK),
    })


@login_required
@require_GET
def feed_status(request, pk: int):
    _require_feeds(request.user)
    return job_status_response(selectors.feed_batch_for(request.user, pk))


urlpatterns = [
    path("feeds/", feed_list, name="feed-list"),
    path("feeds/export.csv", feed_export, name="feed-export"),
    path("feeds/upload/", feed_upload, name="feed-upload"),
    path("feeds/formats/", feed_formats, name="feed-formats"),
    path("feeds/formats/<str:kind>-example.csv", feed_example, name="feed-example"),
    path("feeds/<int:pk>/", feed_detail, name="feed-detail"),
    path("feeds/<int:pk>/status.json", feed_status, name="feed-status"),
]
