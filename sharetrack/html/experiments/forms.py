"""The staff forms of an experiment on the ask: start one, end one. Their rules are the API's
(experiments/schemas.py): the form reads what was typed, turns the cap from major into minor
units, and puts each schema error beside its field in words meant for a person.

Four fieldsets of variants, without JavaScript: the first (the control, filled with the
campaign's own ask) always counts; each other one counts once anything but its key is typed,
so the third and fourth are there for whoever wants them.
"""

from __future__ import annotations

from pydantic import ValidationError
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from ...experiments.schemas import CAP_MAX_MINOR, CAP_MIN_MINOR, ExperimentCreate, ExperimentEnd
from ...experiments.service import Ask
from ...inputs import FieldsForm
from ...models import Campaign
from ...models.experiments import (
    DEFAULT_CAP_MINOR,
    MAX_ASK_TEXT,
    MAX_CARD_HEADLINE,
    MAX_EXPERIMENT_NAME,
    MAX_HEADING,
    MAX_SHARE_TEXT,
    MAX_VARIANT_KEY,
    MAX_VARIANTS,
    MIN_VARIANTS,
)
from ...money import format_major, format_minor, parse_major

KEYS = "abcd"  # the keys the fieldsets start with
WORDS = ("heading", "text", "share_text", "card_headline")  # what makes a fieldset count
LIMITS = {
    "name": MAX_EXPERIMENT_NAME,
    "key": MAX_VARIANT_KEY,
    "heading": MAX_HEADING,
    "text": MAX_ASK_TEXT,
    "share_text": MAX_SHARE_TEXT,
    "card_headline": MAX_CARD_HEADLINE,
}
ALLOCATIONS = {
    "equal": "Equal: each variant is shown to the same share of page views until you end it.",
    "adaptive": (
        "Adaptive: each day more views go to the variants that have raised more money per "
        "view so far (every variant keeps at least a tenth), so weaker words cost less."
    ),
}
TWO_NEEDED = "An experiment needs at least two variants: write the alternative here."
KEY_RULE = "may have only lower-case letters, digits, - and _, starting with a letter or digit"
NONE = "none"  # the end form's choice that keeps the campaign's own words


class ExperimentForm(FieldsForm):
    """Start an experiment. Validation is `validated()`, not WTForms validators."""

    name = StringField("Name", description="For staff only, e.g. Urgency in the heading.")
    allocation = RadioField(
        "How page views are shared between the variants",
        choices=[SelectChoice(key, words) for key, words in ALLOCATIONS.items()],
        default="equal",
        validate_choice=False,
    )
    cap = StringField("Pledge cap")

    def prepare(self, campaign: Campaign, locale: str) -> None:
        """The cap's label and hint in the campaign's currency."""
        low, high = (
            format_minor(m, campaign.currency, locale, whole=True)
            for m in (CAP_MIN_MINOR, CAP_MAX_MINOR)
        )
        self.cap.label.text = f"Pledge cap ({campaign.currency})"
        self.cap.description = (
            "Each pledge counts up to this toward the verdict, so one huge pledge can't decide "
            f"it. Fixed once the experiment starts; {low} to {high}."
        )

    def fill(self, campaign: Campaign) -> None:
        """The first view: the control is the campaign's ask, the keys a to d, the API's cap."""
        ask = Ask(campaign)
        self.v1_heading.data, self.v1_text.data = ask.heading, ask.text
        self.v1_share_text.data = campaign.ask_share_text or ""
        self.v1_card_headline.data = campaign.ask_card_headline or ""
        for n, key in enumerate(KEYS[:MAX_VARIANTS], start=1):
            self[f"v{n}_key"].data = key
        self.cap.data = format_major(DEFAULT_CAP_MINOR, campaign.currency)

    def fieldsets(self) -> list[dict]:
        """Per variant fieldset: its number and its fields by name (for the template)."""
        names = ("key", *WORDS)
        return [
            {"n": n, **{name: self[f"v{n}_{name}"] for name in names}}
            for n in range(1, MAX_VARIANTS + 1)
        ]


def _variant_fields(n: int) -> dict:
    optional = " (optional)"
    return {
        "key": StringField(
            "Key", description="A short name for the reports: lower-case letters, digits, - or _."
        ),
        "heading": StringField("Heading"),
        "text": TextAreaField(
            "Invitation",
            description="Plain text; a blank line starts a new paragraph." if n == 1 else None,
        ),
        "share_text": StringField(
            "Share text" + optional,
            description="Prefilled in what a promoter posts. Empty: the campaign's title.",
        ),
        "card_headline": StringField(
            "Card headline" + optional, description="Under the title on the social card."
        ),
    }


for _n in range(1, MAX_VARIANTS + 1):
    for _name, _field in _variant_fields(_n).items():
        setattr(ExperimentForm, f"v{_n}_{_name}", _field)


def validated(form: ExperimentForm, campaign: Campaign, locale: str) -> ExperimentCreate | None:
    """The schema object for what was typed, or None with a sentence beside each bad field."""
    errors: dict[str, list[str]] = {}
    values: dict = {"name": form.name.data or "", "allocation": form.allocation.data or ""}
    cap_text = (form.cap.data or "").strip()
    if cap_text:
        try:
            values["cap_minor"] = parse_major(cap_text, campaign.currency, locale)
        except ValueError as exc:
            errors["cap"] = [str(exc)]
    used, empty = [], []
    for n in range(1, MAX_VARIANTS + 1):
        typed = {name: form[f"v{n}_{name}"].data or "" for name in ("key", *WORDS)}
        if n > 1 and not any(typed[name].strip() for name in WORDS):
            empty.append(n)
            continue
        variant = {
            "key": typed["key"].strip(),
            "heading": typed["heading"],
            "text": typed["text"].replace("\r\n", "\n"),
        }
        variant |= {name: typed[name] for name in WORDS[2:] if typed[name].strip()}
        used.append((n, variant))
    values["variants"] = [variant for _, variant in used]
    try:
        model = ExperimentCreate.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field, said = _where(err, used, empty, (campaign.currency, locale))
            errors.setdefault(field, []).append(said)
        model = None
    for field, messages in errors.items():
        form[field].errors = messages
    return None if errors else model


def _where(err: dict, used: list, empty: list[int], money: tuple[str, str]) -> tuple[str, str]:
    """The form field a schema error belongs to, and the sentence to show there."""
    loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
    numbers = [n for n, _ in used]
    if loc and loc[0] == "variants" and len(loc) >= 3:
        n, name = numbers[int(loc[1])], str(loc[2])
        return f"v{n}_{name}", f"{_label(name)} of variant {n} {_said(name, kind, ctx)}"
    if loc and loc[0] == "variants":
        if kind == "too_short":
            return f"v{(empty or [MIN_VARIANTS])[0]}_heading", TWO_NEEDED
        seen: set[str] = set()
        for n, variant in used:
            if variant["key"] in seen:
                return (
                    f"v{n}_key",
                    f"Key of variant {n} is used by another variant: each needs its own.",
                )
            seen.add(variant["key"])
        return f"v{numbers[-1]}_key", "Each variant needs its own key."
    name = str(loc[0]) if loc else "name"
    if name == "cap_minor":
        low, high = (format_minor(m, *money, whole=True) for m in (CAP_MIN_MINOR, CAP_MAX_MINOR))
        return "cap", f"Pledge cap must be between {low} and {high}."
    if name == "allocation":
        return "allocation", "Choose equal or adaptive."
    return "name", f"Name {_said('name', kind, ctx)}"


def _label(name: str) -> str:
    return {"text": "Invitation", "share_text": "Share text", "card_headline": "Card headline"}.get(
        name, name.capitalize()
    )


def _said(name: str, kind: str, ctx: dict) -> str:
    """What is wrong, to follow the field's label."""
    error = str(ctx.get("error", ""))
    if kind in ("missing", "string_type", "string_too_short") or error == "must not be blank":
        return "is required"
    if kind == "string_too_long":
        return f"must be at most {LIMITS[name]:,} characters"
    if kind == "string_pattern_mismatch":
        return KEY_RULE
    if error:
        return error
    return "is not valid"


class EndForm(FieldsForm):
    """End an experiment: which variant's words to keep, and (on the confirm step) yes."""

    keep = RadioField("Which words should the campaign keep?", validate_choice=False)
    confirmed = StringField()

    def offer(self, campaign: Campaign, experiment) -> None:
        """A choice per variant, and none (the campaign's own words stay)."""
        self.keep.choices = [
            SelectChoice(v.key, f"Variant {v.key}: “{v.heading}”") for v in experiment.variants
        ] + [SelectChoice(NONE, f"None: keep the campaign's own words (“{Ask(campaign).heading}”)")]


def end_choice(form: EndForm) -> ExperimentEnd | None:
    """The schema object for the chosen variant (keep None for none), or None with the error."""
    typed = form.keep.data or ""
    if not typed:
        form.keep.errors = ["Choose which words to keep, or none."]
        return None
    try:
        return ExperimentEnd.model_validate({"keep": None if typed == NONE else typed})
    except ValidationError:
        form.keep.errors = ["Choose one of the variants, or none."]
        return None
