"""The import file: JSON Lines of campaigns, shares, clicks and pledges, checked as a whole.

Nothing here writes. `Checker` reads every line (shapes in schemas.py), then checks references
across the file (and against campaigns already stored), and hands `store.py` a `Plan` of valid
records with the problems found, each with its line number.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from .. import inputs
from ..models import Campaign
from ..pledges.service import Event
from ..tracking import visitors
from .experiments import Experiments
from .schemas import (
    LINE,
    MAX_LINE_BYTES,
    CampaignLine,
    ClickLine,
    ExperimentLine,
    PledgeLine,
    ShareLine,
    ViewsLine,
)


@dataclass
class ShareRecord:
    line: int
    key: str
    campaign: str
    channel: str
    promoter: str | None
    parent: str | None
    created_at: dt.datetime
    depth: int = 0
    variant: tuple[str, str] | None = None  # (experiment name, variant key)


@dataclass
class PledgeRecord:
    """Every line about one pledge (campaign, external id), in file order."""

    lines: list[int]
    campaign: str
    external_id: str
    currency: str
    deliveries: list[Event]  # (at, status, amount, touches as (share key, at))


@dataclass
class Plan:
    """What the file holds once checked: records to store, and problems by line."""

    campaigns: dict[str, CampaignLine] = field(default_factory=dict)  # new ones, by slug
    stored_campaigns: dict[str, tuple[int, str]] = field(default_factory=dict)  # slug: id, cur.
    shares: list[ShareRecord] = field(default_factory=list)  # parents before children
    clicks: list[tuple[str, dt.datetime, bytes | None, bool]] = field(default_factory=list)
    pledges: list[PledgeRecord] = field(default_factory=list)
    experiments: Experiments = field(default_factory=Experiments)
    errors: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0

    @property
    def invalid_lines(self) -> int:
        return len({line for line, _ in self.errors})


def describe(exc: ValidationError) -> str:
    """Pydantic's errors as one short sentence per field."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"][1:])  # loc[0] is the line's type
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


class Checker:
    """Reads lines one by one, then checks the file as a whole."""

    def __init__(self):
        self.plan = Plan()
        self._campaign_lines: dict[str, int] = {}
        self._shares: dict[str, ShareRecord] = {}
        self._clicks: list[tuple[int, str, dt.datetime, bytes | None, bool]] = []
        self._pledges: list[tuple[int, PledgeLine]] = []
        self._refused: dict[str, int] = {}  # share key: line refused before its key was read
        self._refused_campaigns: dict[str, int] = {}  # the same for campaign slugs
        # Repeat visits are told apart by the visitor hash (as in the redirect), under a key that
        # lives only in this process; the hashes go with the fold (tracking/retention.py).
        self._visitor_key = secrets.token_bytes(32)

    def error(self, line: int, message: str) -> None:
        self.plan.errors.append((line, message))

    def feed(self, number: int, raw: bytes) -> None:
        """Parse one line (1-based number); blank lines are skipped."""
        if not raw.strip():
            return
        self.plan.lines += 1
        if len(raw) > MAX_LINE_BYTES:
            self.error(number, f"line is longer than {MAX_LINE_BYTES} bytes")
            return
        try:
            record = LINE.validate_json(raw)
        except ValidationError as exc:
            self._refuse(number, raw, exc)
            return
        match record:
            case ClickLine():
                digest = None
                if not record.bot:  # a machine has no hash, as in the redirect
                    visitor = f"{record.visitor}\n{record.at.date().isoformat()}"
                    digest = visitors.visitor_hash(self._visitor_key, visitor, record.share)
                self._clicks.append((number, record.share, record.at, digest, record.bot))
            case ShareLine():
                if record.key in self._shares:
                    line = self._shares[record.key].line
                    self.error(number, f"share key {record.key!r} is already used on line {line}")
                    return
                self._shares[record.key] = ShareRecord(
                    number,
                    record.key,
                    record.campaign,
                    record.channel,
                    record.promoter,
                    record.parent,
                    record.created_at,
                    variant=(record.experiment, record.variant) if record.variant else None,
                )
            case ExperimentLine():
                self.plan.experiments.feed(number, record, self.error)
            case ViewsLine():
                self.plan.experiments.views.append((number, record))
            case PledgeLine():
                if record.share is not None and record.refs is not None:
                    self.error(number, "give either share or refs, not both")
                    return
                self._pledges.append((number, record))
            case CampaignLine():
                if record.slug in self._campaign_lines:
                    line = self._campaign_lines[record.slug]
                    self.error(number, f"campaign {record.slug!r} is already on line {line}")
                    return
                self._campaign_lines[record.slug] = number
                self.plan.campaigns[record.slug] = record

    def _refuse(self, number: int, raw: bytes, exc: ValidationError) -> None:
        """Say why the line is refused; remember a refused share's key, so lines using it say
        why they are refused too."""
        try:
            data = inputs.loads(raw)
        except inputs.InputError as too_much:  # deeply nested or a NUL: say that, not more
            self.error(number, str(too_much))
            return
        except ValueError:
            self.error(number, describe(exc))
            return
        self.error(number, describe(exc))
        if not isinstance(data, dict):
            return
        if data.get("type") == "share" and isinstance(data.get("key"), str):
            self._refused.setdefault(data["key"], number)
        if data.get("type") == "campaign" and isinstance(data.get("slug"), str):
            self._refused_campaigns.setdefault(data["slug"], number)

    def finish(self, session: Session) -> Plan:
        """Check references across the file and against stored campaigns."""
        plan = self.plan
        slugs = {s.campaign for s in self._shares.values()} | {p.campaign for _, p in self._pledges}
        slugs |= set(plan.campaigns) | {slug for slug, _ in plan.experiments.lines}
        slugs |= {line.campaign for _, line in plan.experiments.views}
        stored = session.execute(
            sa.select(Campaign.slug, Campaign.id, Campaign.currency).where(
                Campaign.slug.in_(list(slugs))
            )
        )
        plan.stored_campaigns = {slug: (cid, currency) for slug, cid, currency in stored}
        # A campaign already stored is used as it is; its line is not an error.
        for slug in list(plan.campaigns):
            if slug in plan.stored_campaigns:
                del plan.campaigns[slug]
        plan.experiments.finish(session, self._campaign_problem, self.error)
        valid_shares = self._check_shares()
        self._check_clicks(valid_shares)
        self._check_pledges(valid_shares)
        plan.errors.sort()
        return plan

    def _unknown_campaign(self, slug: str) -> str:
        if slug in self._refused_campaigns:
            return f"campaign {slug!r} is on invalid line {self._refused_campaigns[slug]}"
        return f"unknown campaign {slug!r}"

    def _campaign_problem(self, slug: str) -> str | None:
        return None if self._currency(slug) is not None else self._unknown_campaign(slug)

    def _currency(self, slug: str) -> str | None:
        if slug in self.plan.campaigns:
            return self.plan.campaigns[slug].currency
        stored = self.plan.stored_campaigns.get(slug)
        return stored[1] if stored else None

    def _check_shares(self) -> dict[str, ShareRecord]:
        valid: dict[str, ShareRecord] = {}
        # key: why lines using it are refused too
        bad = {
            key: f"share {key!r} is on invalid line {line}"
            for key, line in self._refused.items()
            if key not in self._shares
        }
        taken: dict[tuple[str, str, str], int] = {}
        for share in sorted(self._shares.values(), key=lambda s: s.line):
            why = None
            if self._currency(share.campaign) is None:
                why = self._unknown_campaign(share.campaign)
            elif share.variant is not None and (
                problem := self.plan.experiments.variant_problem(share.campaign, *share.variant)
            ):
                why = problem
            elif share.promoter is not None and share.channel != "leaflet":
                slot = (share.campaign, share.promoter, share.channel)
                if slot in taken:
                    why = (
                        f"promoter {share.promoter!r} already has a {share.channel} share in "
                        f"{share.campaign!r} (line {taken[slot]})"
                    )
                else:
                    taken[slot] = share.line
            if why:
                self.error(share.line, why)
                bad[share.key] = f"share {share.key!r} is on invalid line {share.line}"
        # Parents: must exist, be in the same campaign, and not make a cycle.
        self._cyclic = self._find_cycles()
        for share in sorted(self._shares.values(), key=lambda s: s.line):
            if share.key in bad:
                continue
            why = self._parent_problem(share, bad)
            if why:
                self.error(share.line, why)
                bad[share.key] = f"share {share.key!r} is on invalid line {share.line}"
            else:
                valid[share.key] = share
        # Children of shares refused above are refused too, down the tree.
        changed = True
        while changed:
            changed = False
            for key, share in list(valid.items()):
                if share.parent is not None and share.parent in bad:
                    self.error(share.line, f"parent {bad[share.parent]}")
                    bad[key] = f"share {key!r} is on invalid line {share.line}"
                    del valid[key]
                    changed = True
        self._bad_shares = bad
        depths = self._depths(valid)
        for share in valid.values():
            share.depth = depths[share.key]
        self.plan.shares = sorted(valid.values(), key=lambda s: (s.depth, s.line))
        return valid

    def _parent_problem(self, share: ShareRecord, bad: dict[str, str]) -> str | None:
        if share.parent is None:
            return None
        if share.parent in bad:
            return None  # reported when children of bad shares are swept
        parent = self._shares.get(share.parent)
        if parent is None:
            return f"unknown parent share {share.parent!r}"
        if parent.campaign != share.campaign:
            return f"parent share {share.parent!r} is in another campaign"
        if share.key in self._cyclic:
            return f"share {share.key!r} is its own ancestor"
        return None

    def _find_cycles(self) -> set[str]:
        """Keys of shares on a cycle of parents (each share has at most one parent)."""
        state: dict[str, int] = {}  # 1: on the path being walked, 2: done
        cyclic: set[str] = set()
        for start in self._shares:
            path, key = [], start
            while key is not None and key in self._shares and key not in state:
                state[key] = 1
                path.append(key)
                key = self._shares[key].parent
            if key is not None and state.get(key) == 1:
                cyclic.update(path[path.index(key) :])
            for visited in path:
                state[visited] = 2
        return cyclic

    def _depths(self, keys) -> dict[str, int]:
        """Levels below the root for valid (acyclic) shares, each computed once."""
        depth: dict[str, int] = {}
        for start in keys:
            path, key = [], start
            while key is not None and key not in depth:
                path.append(key)
                key = self._shares[key].parent
            base = depth[key] if key is not None else -1
            for visited in reversed(path):
                base += 1
                depth[visited] = base
        return depth

    def _check_clicks(self, shares: dict[str, ShareRecord]) -> None:
        clicks = self.plan.clicks
        for number, key, at, digest, bot in self._clicks:
            share = shares.get(key)
            if share is None:
                self.error(number, self._bad_shares.get(key) or f"unknown share {key!r}")
                continue
            if at < share.created_at:
                self.error(number, f"click is before its share {key!r} was made")
                continue
            clicks.append((key, at, digest, bot))
        self._clicks = []

    def _check_pledges(self, shares: dict[str, ShareRecord]) -> None:
        grouped: dict[tuple[str, str], PledgeRecord] = {}
        for number, line in self._pledges:
            why = self._pledge_problem(line, shares)
            if why:
                self.error(number, why)
                continue
            touches = [(line.share, None)] if line.share else []
            touches += [(ref.share, ref.at) for ref in line.refs or []]
            key = (line.campaign, line.external_id)
            if key not in grouped:
                grouped[key] = PledgeRecord([], line.campaign, line.external_id, line.currency, [])
            grouped[key].lines.append(number)
            grouped[key].deliveries.append(
                Event(line.at, line.status, line.amount_minor, tuple(touches))
            )
        self.plan.pledges = list(grouped.values())

    def _pledge_problem(self, line: PledgeLine, shares: dict[str, ShareRecord]) -> str | None:
        currency = self._currency(line.campaign)
        if currency is None:
            return self._unknown_campaign(line.campaign)
        if line.currency != currency:
            return f"campaign {line.campaign!r} takes {currency} only"
        for key in [line.share] if line.share else [r.share for r in line.refs or []]:
            share = shares.get(key)
            if share is None:
                return self._bad_shares.get(key) or f"unknown share {key!r}"
            if share.campaign != line.campaign:
                return f"share {key!r} is in another campaign"
        return None


def group_errors(errors: list[tuple[int, str]], limit: int = 100) -> list[str]:
    """Error lines for people: 'line N: message', at most `limit` and a count of the rest."""
    out = [f"line {line}: {message}" for line, message in errors[:limit]]
    if len(errors) > limit:
        out.append(f"… and {len(errors) - limit} more")
    return out
