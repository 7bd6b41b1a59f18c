"""Which CSV column holds what in a platform's payments export: presets, and `--map` for the rest.

A mapping names only the columns the import reads. Every other column (names, emails, card
addresses, descriptions, messages) is never read: the parser picks the mapped cells out of each
row by position and drops the row (docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

# The roles a column can have; `date` and `amount` and `currency` are needed.
REQUIRED = ("date", "amount", "currency")
OPTIONAL = ("id", "status", "refunded", "ref")
ROLES = REQUIRED + OPTIONAL


class MappingError(ValueError):
    """A --map that cannot be used: say which part and why."""


@dataclass(frozen=True)
class Mapping:
    """Column names (as in the file's header) for each role; None: the file has no such column.

    `id` makes re-imports idempotent by the platform's id; without it a payment is the same
    payment when its time and amount are. `refunded` is an amount refunded, taken off the
    amount. `ref` holds a share link's ref (the `ref` a landing page received).
    """

    date: str
    amount: str
    currency: str
    id: str | None = None
    status: str | None = None
    refunded: str | None = None
    ref: str | None = None

    def columns(self) -> dict[str, str]:
        """{role: column name} of the columns this mapping reads."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


# Stripe Dashboard → Payments → Export (the "unified payments" CSV). Column names as Stripe
# writes them (docs/payments.md says how they were confirmed); metadata keys become columns
# named "<key> (metadata)", so the ref sharetrack's checkout puts in `sharetrack_ref` is there.
STRIPE = Mapping(
    id="id",
    date="Created date (UTC)",
    amount="Amount",
    currency="Currency",
    status="Status",
    refunded="Amount Refunded",
    ref="sharetrack_ref (metadata)",
)

# Only platforms whose export's column names could be confirmed; the others use --map.
PRESETS: dict[str, Mapping] = {"stripe": STRIPE}


def parse_map(text: str, base: Mapping | None = None) -> Mapping:
    """`id=…,date=…,amount=…,currency=…,status=…,refunded=…,ref=…` over a preset (or nothing).

    A role given an empty value (`ref=`) is dropped from the preset.
    """
    given: dict[str, str | None] = {}
    for part in (p for p in text.split(",") if p.strip()):
        role, sep, column = part.partition("=")
        role = role.strip()
        if not sep:
            raise MappingError(f"{part.strip()!r}: write role=column, e.g. amount=Amount")
        if role not in ROLES:
            raise MappingError(f"{role!r} is not a role; roles are {', '.join(ROLES)}")
        if role in given:
            raise MappingError(f"{role!r} is given twice")
        given[role] = column.strip() or None
    if base is not None:
        mapping = replace(base, **given)
    else:
        missing = [role for role in REQUIRED if not given.get(role)]
        if missing:
            raise MappingError(
                f"name the column of {', '.join(missing)} (or use a preset: {', '.join(PRESETS)})"
            )
        mapping = Mapping(**given)  # type: ignore[arg-type]
    for role in REQUIRED:
        if not getattr(mapping, role):
            raise MappingError(f"{role} needs a column")
    return mapping


def mapping_for(preset: str | None, map_text: str | None) -> Mapping:
    """The mapping a preset and a --map give together."""
    if preset is not None and preset not in PRESETS:
        raise MappingError(f"unknown preset {preset!r}; presets are {', '.join(PRESETS)}")
    base = PRESETS[preset] if preset else None
    if not map_text:
        if base is None:
            raise MappingError(f"give a preset ({', '.join(PRESETS)}) or --map")
        return base
    return parse_map(map_text, base)
