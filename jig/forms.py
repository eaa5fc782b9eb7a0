"""Forms of the JIG's pages."""

from decimal import Decimal

from django import forms

# --- The risk model ---------------------------------------------------------------------------

NUMBER_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def _decimal(label: str, *, what: str, places: int, digits: int, minimum=None) -> forms.DecimalField:
    """A number box; ``what`` names it in error messages ("the weight of Falls-related call-outs")."""
    return forms.DecimalField(
        label=label, max_digits=digits, decimal_places=places, min_value=minimum,
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
        error_messages={"required": f"Enter {what}",
                        "invalid": f"Enter {what} as a number, like 12.5",
                        "min_value": f"{what[0].upper()}{what[1:]} must be 0 or more",
                        "max_digits": f"{what[0].upper()}{what[1:]} is too long",
                        "max_decimal_places": f"{what[0].upper()}{what[1:]} can have at most {places} "
                                              "decimal places",
                        "max_whole_digits": f"{what[0].upper()}{what[1:]} is too big"})


def _plain(value: Decimal) -> str:
    """25.00 → "25", 1.2500 → "1.25": what a person would type."""
    return f"{Decimal(value).normalize():f}"


class RiskModelEditForm(forms.Form):
    """A draft's RAG thresholds and, for each component, its weight and thresholds.

    Component fields are named ``<code>-weight``, ``<code>-amber_from`` and ``<code>-red_from``,
    so an error message links to the very box that needs changing.
    """

    amber_from = _decimal("Amber from score", what="the score from which a home is amber", places=2,
                          digits=6, minimum=Decimal(0))
    red_from = _decimal("Red from score", what="the score from which a home is red", places=2, digits=6,
                        minimum=Decimal(0))

    def __init__(self, *args, model, components, labels: dict[str, str], units: dict[str, str], **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].update({"amber_from": _plain(model.amber_from), "red_from": _plain(model.red_from)})
        super().__init__(*args, **kwargs)
        self.components, self.labels = components, labels
        self.groups = []
        for component in components:
            label = labels.get(component.code, component.code)
            names = {part: f"{component.code}-{part}" for part in ("weight", "amber_from", "red_from")}
            self.fields[names["weight"]] = _decimal("Weight", what=f"the weight of {label}", places=2,
                                                    digits=5, minimum=Decimal(0))
            self.fields[names["amber_from"]] = _decimal("Amber from", what=f"the amber threshold of {label}",
                                                        places=4, digits=12)
            self.fields[names["red_from"]] = _decimal("Red from", what=f"the red threshold of {label}",
                                                      places=4, digits=12)
            self.initial.update({names["weight"]: _plain(component.weight),
                                 names["amber_from"]: _plain(component.amber_from),
                                 names["red_from"]: _plain(component.red_from)})
            unit = units.get(component.code, "")
            self.groups.append({"component": component, "label": label, "fields": [
                (self[names["weight"]], ""), (self[names["amber_from"]], unit),
                (self[names["red_from"]], unit)]})

    def clean(self):
        data = super().clean()
        amber, red = data.get("amber_from"), data.get("red_from")
        if amber is not None and red is not None and amber >= red:
            self.add_error("amber_from", "The amber score must be below the red score")
        for component in self.components:
            amber = data.get(f"{component.code}-amber_from")
            red = data.get(f"{component.code}-red_from")
            if amber is not None and red is not None and amber > red:
                self.add_error(f"{component.code}-amber_from",
                               f"The amber threshold of {self.labels[component.code]} must be the same as "
                               "or below its red threshold")
        return data

    def component_values(self, component) -> dict:
        """The cleaned weight and thresholds of one component."""
        return {part: self.cleaned_data[f"{component.code}-{part}"]
                for part in ("weight", "amber_from", "red_from")}

    def changed_components(self) -> list:
        return [c for c in self.components
                if any(name in self.changed_data for name in (f"{c.code}-weight", f"{c.code}-amber_from",
                                                              f"{c.code}-red_from"))]


class RiskModelPublishForm(forms.Form):
    notes = forms.CharField(
        label="What changed from the previous version, and why",
        help_text="Everybody who reads the ratings can see this note.",
        widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        error_messages={"required": "Say what changed from the previous version, and why"})
