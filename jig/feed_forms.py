"""Forms of the feed pages: sending a file, and resolving a key of the matching queue."""

from django import forms

from commissioning.choices import OrganisationKind
from commissioning.models import Organisation

from .feeds.codes import FeedKind
from .services import SOURCE_KINDS, feed_sources

ALLOWED_SUFFIXES = (".csv", ".xlsx")
OUTSIDE = "outside"


class Radios(forms.RadioSelect):
    """Radios whose field id is the first radio's, so the error summary's link reaches it."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class FeedUploadForm(forms.Form):
    """Which feed, for which trust (asked only when the user sends for more than one), and the file.

    ``kinds`` and ``sources`` come from ``feed_sources``, so a user is only offered what the
    service will accept; the service checks again.
    """

    kind = forms.ChoiceField(label="What does the file hold?", widget=Radios,
                             error_messages={"required": "Select what the file holds"})
    source = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label="Which trust are you sending for?",
        empty_label="Select a trust")
    file = forms.FileField(
        label="Upload the file",
        help_text="A CSV or XLSX file: one header row, then one record per row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Select a CSV or XLSX file"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources_by_kind = {kind: list(feed_sources(user, kind)) for kind in FeedKind.values}
        kinds = [(k, FeedKind(k).label) for k, trusts in self.sources_by_kind.items() if trusts]
        self.fields["kind"].choices = kinds
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
        trusts = {t.pk: t for trusts in self.sources_by_kind.values() for t in trusts}
        self.fields["source"].queryset = Organisation.objects.filter(pk__in=trusts).order_by("name")
        self.fields["source"].label_from_instance = lambda t: f"{t.name} ({t.get_kind_display().lower()})"
        self.ask_source = len(trusts) > 1
        if not self.ask_source:
            self.fields["source"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("The selected file must be a CSV or XLSX")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        trusts = self.sources_by_kind[kind]
        source = data.get("source")
        if source is None:
            if len(trusts) == 1:
                data["source"] = trusts[0]
            else:
                self.add_error("source", "Select the trust you are sending for")
        elif source not in trusts:
            kind_label = OrganisationKind(SOURCE_KINDS[kind]).label.lower()
            self.add_error("source", f"{source.name} cannot send {FeedKind(kind).label.lower()}; "
                                     f"choose an {kind_label}")
        return data


class HomeSearchForm(forms.Form):
    q = forms.CharField(label="Search for a home", required=False, max_length=100,
                        help_text="Name, postcode or CQC location ID")


class MatchResolveForm(forms.Form):
    """One choice: a home from the candidates, or "not one of our homes" with a note."""

    choice = forms.ChoiceField(label="Which home do these records belong to?", widget=Radios,
                               error_messages={"required": "Select a home, or say it is not one of ours"})
    note = forms.CharField(
        label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you chose this. Needed when it is not one of our homes.")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(home.pk): home for home in candidates}
        self.fields["choice"].choices = [
            *((pk, home.name) for pk, home in self.candidates.items()),
            (OUTSIDE, "Not one of our homes")]

    def clean(self):
        data = super().clean()
        if data.get("choice") == OUTSIDE and not data.get("note", "").strip():
            self.add_error("note", "Say why these records are not for one of our homes")
        return data

    @property
    def care_home(self):
        """The chosen home, or ``None`` for "not one of our homes"."""
        return self.candidates.get(self.cleaned_data["choice"])
