"""Forms for the monthly return pages.

The return form is built from the return's own indicator set. It does not check the
values itself: ``services.return_save`` applies the one set of rules (``validation.py``)
and the page shows its messages against each field.
"""

from decimal import Decimal

from django import forms

from .choices import IndicatorKind, IndicatorSection

REASON_MAX = 500
# The NHS.UK input width class for each kind of answer, in characters.
WIDTHS = {IndicatorKind.COUNT: 5, IndicatorKind.NUMBER: 5, IndicatorKind.PERCENT: 4}
INPUTMODES = {IndicatorKind.COUNT: "numeric", IndicatorKind.NUMBER: "decimal",
              IndicatorKind.PERCENT: "decimal"}


def unit_hint(indicator) -> str:
    """How to answer, in words: "Number of beds.", "Percentage, from 0 to 100."."""
    if indicator.kind == IndicatorKind.PERCENT:
        return "Percentage, from 0 to 100."
    if indicator.kind == IndicatorKind.COUNT:
        return f"Number of {indicator.unit}." if indicator.unit else "A whole number."
    if indicator.kind == IndicatorKind.NUMBER and indicator.unit:
        return f"In {indicator.unit}."
    return ""


def hint_for(indicator) -> str:
    help_text = indicator.help_text.strip()
    if help_text and not help_text.endswith((".", "?", "!")):
        help_text += "."
    return " ".join(part for part in (help_text, unit_hint(indicator)) if part)


def shown_value(value) -> str:
    """A stored value as a person would type it: 92.0 → "92", 7.50 → "7.5"."""
    if value is None:
        return ""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        text = f"{Decimal(str(value)):f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


class ReturnForm(forms.Form):
    """One home's return for one month: a field per indicator, named by its key.

    ``warnings`` (indicator key → message) adds a confirming tick and a reason after each
    unusual value; ``ask_reason`` adds "Why are you amending it?" for an amendment
    (``REQUIRED``) or for resubmitting a reopened return (``OPTIONAL``: a draft needs none).
    Field ids are the indicator keys, so the error summary links straight to each field.
    """

    REQUIRED, OPTIONAL = "required", "optional"

    def __init__(self, *args, indicators, warnings=None, ask_reason=None, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.warnings = dict(warnings or {})
        self.by_key = {indicator.key: indicator for indicator in self.indicators}
        for indicator in self.indicators:
            self.fields[indicator.key] = self._field_for(indicator)
            if indicator.key in self.warnings:
                self.fields[f"confirm_{indicator.key}"] = forms.BooleanField(
                    label="I have checked this and it is right", required=False)
                self.fields[f"reason_{indicator.key}"] = forms.CharField(
                    label="Reason", required=False, max_length=REASON_MAX,
                    help_text=f"Say why {_lower(indicator.label)} is right this month.")
        if ask_reason:
            self.fields["reason"] = forms.CharField(
                label="Why are you amending it?", required=ask_reason == self.REQUIRED,
                max_length=REASON_MAX,
                error_messages={"required": "Enter why you are amending this return"},
                help_text="For example, a fall was counted twice. The council and the NHS "
                          "will see this.",
                widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def _field_for(indicator) -> forms.Field:
        hint = hint_for(indicator)
        if indicator.kind == IndicatorKind.TEXT:
            return forms.CharField(label=indicator.label, help_text=hint, required=False,
                                   widget=forms.Textarea(attrs={"rows": 5}))
        # Text, not a number input: the rules (and their messages) live in validation.py,
        # and a browser's number input would swallow "2.5" or "12%" before they got there.
        return forms.CharField(
            label=indicator.label, help_text=hint, required=False, max_length=30,
            widget=forms.TextInput(attrs={"inputmode": INPUTMODES[indicator.kind],
                                          "width": WIDTHS[indicator.kind],
                                          "spellcheck": "false"}))

    def values(self) -> dict:
        """The answers as typed, by indicator key (blank answers left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {key: data[key] for key in self.by_key
                if isinstance(data.get(key), str) and data[key].strip()}

    def confirmations(self) -> dict[str, str]:
        """Warnings ticked with a reason, as ``{key: reason}`` for ``return_save``."""
        data = self.cleaned_data
        return {key: data.get(f"reason_{key}", "").strip() for key in self.warnings
                if data.get(f"confirm_{key}") and data.get(f"reason_{key}", "").strip()}

    def add_confirmation_errors(self, unconfirmed: dict[str, str]) -> None:
        """Say, by each unusual value, what is still needed: the tick, the reason or both."""
        for key, message in unconfirmed.items():
            label = self.by_key[key].label
            ticked = self.cleaned_data.get(f"confirm_{key}")
            reason = self.cleaned_data.get(f"reason_{key}", "").strip()
            if not ticked:
                self.add_error(f"confirm_{key}", message)
            if not reason:
                self.add_error(f"reason_{key}", f"Enter a reason why {_lower(label)} is right")

    def add_service_errors(self, errors: dict) -> None:
        """Messages from the service: against their field when the form has it, else the form."""
        for key, messages in errors.items():
            self.add_error(key if key in self.fields else None, messages)

    def sections(self) -> list[dict]:
        """The bound fields grouped by section, in the order of the indicator set."""
        groups: dict[str, dict] = {}
        labels = dict(IndicatorSection.choices)
        for indicator in self.indicators:
            group = groups.setdefault(indicator.section, {
                "key": indicator.section, "title": labels.get(indicator.section, indicator.section),
                "rows": []})
            key = indicator.key
            group["rows"].append({
                "indicator": indicator, "field": self[key],
                "width": WIDTHS.get(indicator.kind),
                "is_text": indicator.kind == IndicatorKind.TEXT,
                "warning": self.warnings.get(key),
                "confirm": self[f"confirm_{key}"] if key in self.warnings else None,
                "reason": self[f"reason_{key}"] if key in self.warnings else None,
            })
        return list(groups.values())


def _lower(label: str) -> str:
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this return?", max_length=REASON_MAX,
        help_text="The home will see this. Say what needs checking or correcting.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are reopening this return"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
