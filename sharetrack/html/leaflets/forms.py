"""The staff form for a new leaflet batch. Its rules are the API's LeafletCreate schema."""

from __future__ import annotations

from pydantic import ValidationError
from wtforms import StringField

from ...inputs import FieldsForm
from ...leaflets.schemas import LeafletCreate

MESSAGES = {
    "label": "Label is required (120 characters at most, printable).",
    "place": "Place must be at most 200 printable characters.",
    "printed": "Copies printed must be a whole number from 1 to 10,000,000.",
    "promoter": "Promoter code must be 1 to 32 characters.",
}


class LeafletForm(FieldsForm):
    """A batch: label, where it goes, how many are printed, and an optional promoter."""

    label = StringField("Label", description="e.g. Market stall, March")
    place = StringField("Place (optional)")
    printed = StringField("Copies printed")
    promoter = StringField("Promoter code (optional)")


def validated(form: LeafletForm) -> LeafletCreate | None:
    """The schema object for what was typed, or None with a sentence beside each bad field."""
    printed = (form.printed.data or "").strip().replace(",", "")
    values = {
        "label": form.label.data or "",
        "place": (form.place.data or "").strip() or None,
        "printed": int(printed) if printed.isascii() and printed.isdigit() else printed,
        "promoter": (form.promoter.data or "").strip() or None,
    }
    try:
        return LeafletCreate.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            name = str(err["loc"][0]) if err["loc"] else "label"
            if name in MESSAGES:
                form[name].errors = [MESSAGES[name]]
        return None
