"""How a rating is shown: RAG tags and colours, movement arrows, changes in score, labels."""

from decimal import Decimal

from ..choices import Rag
from ..risk.components import REGISTRY

RAG_TAGS = {Rag.RED: "red", Rag.AMBER: "orange", Rag.GREEN: "green"}
RAG_COLOURS = {Rag.RED: "#d5281b", Rag.AMBER: "#ffb81c", Rag.GREEN: "#007f3b"}
RAG_LABELS = dict(Rag.choices)


def score_change_text(change: Decimal | None) -> str:
    """+4.5, −3 (a true minus sign), 0, or a dash when there was no rating the month before."""
    if change is None:
        return "—"
    text = f"{abs(change):.2f}".rstrip("0").rstrip(".")
    if change > 0:
        return f"+{text}"
    if change < 0:
        return f"\u2212{text}"
    return "0"


def movement(rating) -> dict:
    """The arrow for a change of RAG and the words a screen reader says instead of it."""
    moved = rating.moved
    previous = RAG_LABELS.get(rating.previous_rag, "").lower()
    if moved == "up":
        return {"arrow": "▲", "words": f"up from {previous}", "direction": "up"}
    if moved == "down":
        return {"arrow": "▼", "words": f"down from {previous}", "direction": "down"}
    if rating.previous_rag:
        return {"arrow": "", "words": f"no change from {previous}", "direction": ""}
    return {"arrow": "", "words": "no rating the month before", "direction": ""}


def rating_row(rating) -> dict:
    """What a table row needs to show one rating."""
    return {"rating": rating, "tag": RAG_TAGS.get(rating.rag, "grey"),
            "rag_label": RAG_LABELS.get(rating.rag, rating.rag), "movement": movement(rating),
            "change": score_change_text(rating.score_change)}


def component_labels(codes) -> dict[str, str]:
    """Each component's label from the registry; a code no longer registered, made readable."""
    return {code: _registered(code, "label") or code.replace("_", " ").capitalize() for code in codes}


def component_descriptions(codes) -> dict[str, str]:
    """What each component measures, in a sentence."""
    return {code: _registered(code, "measures") for code in codes}


def component_units(codes) -> dict[str, str]:
    return {code: _registered(code, "unit") for code in codes}


def _registered(code: str, attribute: str) -> str:
    return getattr(REGISTRY.get(code), attribute, "") or ""
