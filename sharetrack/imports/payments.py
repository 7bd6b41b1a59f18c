"""A platform's payments export (CSV) in: read row by row, every row through the one acceptance
rule and the replay rules of pledges/service.py, all or nothing.

The file is streamed: `csv.reader` over the open file, each row turned into a `PaymentRow` of
the mapped cells only and then stored, so memory does not grow with the file. Names, emails,
addresses and messages are never picked out of a row (presets.py); nothing but the mapped cells
reaches a `PaymentRow`, let alone the database.

All or nothing: a row refused stops the writing (the rows after it are still read, to list
every problem by line), and the caller rolls back. A preview is the same run, rolled back.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from sqlalchemy.orm import Session

from ..campaigns.schemas import CURRENCIES
from ..models import CANCELLED, MAX_AMOUNT_MINOR, PAID, PLEDGED, REFUNDED, Campaign
from ..money import digits
from ..pledges import service as pledges
from ..signing import Tokens
from ..validation import naive_utc
from .presets import Mapping

MAX_ERRORS = 100  # listed; the rest are counted
PREVIEW_ROWS = 10
MAX_CELL = 10_000  # a cell longer than this is not a payment's field

# Statuses as platforms write them (lower case): Stripe's export says Paid, Refunded, Failed…
STATUSES = {
    "paid": PAID,
    "succeeded": PAID,
    "captured": PAID,
    "complete": PAID,
    "completed": PAID,
    "partially refunded": PAID,
    "refunded": REFUNDED,
    "failed": CANCELLED,
    "canceled": CANCELLED,
    "cancelled": CANCELLED,
    "blocked": CANCELLED,
    "pending": PLEDGED,
    "uncaptured": PLEDGED,
    "incomplete": PLEDGED,
}
# 1234.56, 1,234.56 or (a decimal comma, as some locales' exports write it) 1234,56
_POINT = re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")
_COMMA = re.compile(r"^-?[0-9]+,[0-9]{1,2}$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_EARLIEST = dt.datetime(2000, 1, 1)


class RowRefused(ValueError):
    """One row's cell cannot be read: the message says which and why."""


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """The mapped cells of one row, read: nothing else of the row is kept."""

    line: int
    external_id: str
    at: dt.datetime  # naive UTC
    amount_minor: int
    currency: str
    status: str
    ref: str | None


@dataclass
class Outcome:
    """What an import did (or, rolled back, would do)."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refs_ignored: int = 0
    amount_minor: int = 0  # of the rows counted (paid), as the file states them
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    preview: list[PaymentRow] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))

    def messages(self) -> list[str]:
        """'line N: why', and a count of those not listed."""
        out = [f"line {line}: {message}" for line, message in self.errors]
        if self.error_count > len(self.errors):
            out.append(f"… and {self.error_count - len(self.errors)} more")
        return out


def amount_of(text: str, currency: str) -> int:
    """A major-unit amount as minor units of the currency (exactly; never a float)."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if _COMMA.match(text):
        text = text.replace(",", ".")
    elif _POINT.match(text):
        text = text.replace(",", "")
    else:
        raise RowRefused(f"amount {text[:40]!r} is not a number like 12.50")
    try:
        minor = Decimal(text).scaleb(digits(currency))
    except InvalidOperation:
        raise RowRefused(f"amount {text[:40]!r} is not a number like 12.50") from None
    if minor != minor.to_integral_value():
        raise RowRefused(f"amount {text!r} has more decimals than {currency} has")
    return int(minor)


def time_of(text: str) -> dt.datetime:
    """A time as naive UTC: ISO 8601 with an offset, or without one (then read as UTC, as the
    "(UTC)" columns of exports are)."""
    text = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for pattern in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowRefused(f"date {text[:40]!r} is not a time like 2026-03-01 12:00:00")
    moment = naive_utc(parsed) if parsed.tzinfo else parsed
    if moment < _EARLIEST or moment > dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(
        days=1
    ):
        raise RowRefused(f"date {text!r} is before 2000 or in the future")
    return moment


def _row(line: int, cells: dict[str, str]) -> PaymentRow:
    """One row's mapped cells ({role: text}) read into a PaymentRow, or RowRefused."""
    currency = cells["currency"].strip().upper()
    if currency not in CURRENCIES:
        raise RowRefused(f"currency {cells['currency'][:10]!r} is not an ISO 4217 code")
    amount = amount_of(cells["amount"], currency)
    at = time_of(cells["date"])
    status = PAID
    if "status" in cells:
        status = STATUSES.get(cells["status"].strip().lower(), "")
        if not status:
            raise RowRefused(f"status {cells['status'][:40]!r} is not one this import knows")
    refunded = amount_of(cells["refunded"], currency) if cells.get("refunded", "").strip() else 0
    if amount <= 0:
        raise RowRefused("amount must be more than nothing")
    if amount > MAX_AMOUNT_MINOR:
        raise RowRefused("amount is larger than any pledge can be")
    if not 0 <= refunded <= amount:
        raise RowRefused("amount refunded must be between nothing and the amount")
    external_id = cells.get("id", "").strip()
    if "id" in cells and not external_id:
        raise RowRefused("id is empty")
    if len(external_id) > 128 or not external_id.isprintable():
        raise RowRefused("id must be at most 128 printable characters")
    if not external_id:  # no id column: a payment is its time and amount (as paid, before
        # any refund, so a later export's refund finds the same pledge)
        external_id = f"csv:{at:%Y-%m-%dT%H:%M:%S}Z:{amount}"
    if refunded == amount and status == PAID:
        status = REFUNDED  # refunded in full: keeps its amount, no longer counted
    elif status == PAID:
        amount -= refunded
    ref = cells.get("ref", "").strip() or None
    return PaymentRow(line, external_id, at, amount, currency, status, ref)


def read_rows(stream: TextIO, mapping: Mapping, outcome: Outcome) -> Iterator[PaymentRow]:
    """The file's payments one by one; problems go to `outcome` by line (the header is line 1).

    Only the mapped cells are picked out of each row; the row itself is dropped at once.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        outcome.error(1, f"the header cannot be read: {exc}")
        return
    if header is None:
        outcome.error(1, "the file is empty")
        return
    names = [name.strip().lstrip("\ufeff") for name in header]
    wanted = mapping.columns()
    missing = [f"{column!r} ({role})" for role, column in wanted.items() if column not in names]
    if missing:
        outcome.error(1, f"no column {', '.join(missing)} in the header")
        return
    at = {role: names.index(column) for role, column in wanted.items()}
    width = max(at.values()) + 1
    rows = 0
    while True:
        try:
            cells = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            outcome.error(reader.line_num + 1, f"cannot be read: {exc}")
            return
        if cells is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        if len(cells) < width:
            outcome.error(line, f"has {len(cells)} cells; the header has {len(names)}")
            continue
        picked = {role: cells[index] for role, index in at.items()}
        del cells  # the rest of the row (names, emails, messages) is never kept
        try:
            if any(len(text) > MAX_CELL for text in picked.values()):
                raise RowRefused(f"a cell is longer than {MAX_CELL} characters")
            yield _row(line, picked)
        except RowRefused as exc:
            outcome.error(line, str(exc))
    if rows == 0:
        outcome.error(1, "the file has a header and no payments")


def import_payments(
    session: Session,
    campaign: Campaign,
    stream: TextIO,
    mapping: Mapping,
    tokens: Tokens,
) -> Outcome:
    """Read and store the export's payments as verified pledges (source "import") of `campaign`.

    Each row is a delivery of its pledge: checked by acceptance.refusal (reported: the money was
    given) and recorded by pledges.service.apply, so a repeat changes nothing and a later status
    (a refund) is followed. The caller commits when `outcome.errors` is empty and rolls back
    otherwise (or for a preview).
    """
    outcome = Outcome()
    for row in read_rows(stream, mapping, outcome):
        outcome.rows += 1
        if len(outcome.preview) < PREVIEW_ROWS:
            outcome.preview.append(row)
        if outcome.error_count:
            continue  # nothing will be stored: read on only to list every problem
        _store(session, campaign, tokens, row, outcome)
    return outcome


def _store(session, campaign: Campaign, tokens: Tokens, row: PaymentRow, outcome: Outcome):
    try:
        pledges.check(session, campaign, row.currency, row.amount_minor, row.external_id)
    except pledges.DeliveryRefused as exc:
        outcome.error(row.line, exc.message)
        return
    touches: Iterable = ()
    if row.ref:
        found, ignored = pledges.resolve_refs(session, tokens, campaign.id, [(row.ref, None)])
        touches, outcome.refs_ignored = tuple(found), outcome.refs_ignored + ignored
    recorded = pledges.apply(
        session,
        campaign,
        pledges.Delivery(
            row.external_id,
            row.amount_minor,
            row.currency,
            row.status,
            row.at,
            tuple(touches),
            source="import",  # by staff: verified
            exported=True,  # the payment's state now: a later export's refund lowers it
        ),
    )
    if recorded.created:
        outcome.new += 1
    elif recorded.changed:
        outcome.updated += 1
    else:
        outcome.unchanged += 1
    if row.status == PAID:
        outcome.amount_minor += row.amount_minor
