"""Creating, assigning, counting and ending experiments on the ask.

Assignment draws a variant per page view on the server and adds one to that variant's count
for the day: nothing about the visitor is read or stored (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import dialects
from ..models import ACTIVE, Campaign, Experiment, PledgeCredit, Share, Variant, VariantDay, utcnow
from ..models.experiments import ALLOCATIONS, DEFAULT_CAP_MINOR, RUNNING
from ..validation import is_id
from . import stats
from .schemas import ExperimentCreate, VariantIn

ENDED = "ended"
_rng = random.SystemRandom()


class AlreadyRunning(Exception):
    """The campaign already runs an experiment; end it first (409)."""


class ExperimentNotFound(LookupError):
    """No experiment of this campaign has this id (404)."""


class AlreadyEnded(Exception):
    """The experiment has ended already (409)."""


class UnknownVariant(ValueError):
    """No variant of the experiment has this key (422)."""


def running(session: Session, campaign_id: int) -> Experiment | None:
    """The campaign's running experiment, if any."""
    return session.scalar(
        sa.select(Experiment).where(
            Experiment.campaign_id == campaign_id, Experiment.status == RUNNING
        )
    )


def create(
    session: Session,
    campaign: Campaign,
    *,
    name: str,
    allocation: str,
    variants: Sequence[VariantIn],
    cap_minor: int | None = None,
    started_at: dt.datetime | None = None,
) -> Experiment:
    """A running experiment with its variants (the first is the control)."""
    if allocation not in ALLOCATIONS:
        raise ValueError(allocation)
    if running(session, campaign.id) is not None:
        raise AlreadyRunning(campaign.slug)
    experiment = Experiment(
        campaign_id=campaign.id,
        name=name,
        allocation=allocation,
        status=RUNNING,
        cap_minor=cap_minor or DEFAULT_CAP_MINOR,
        started_at=started_at or utcnow(),
    )
    experiment.variants = [
        Variant(position=i, **variant.model_dump()) for i, variant in enumerate(variants)
    ]
    try:  # another started meanwhile: the database's one-running index refuses this one
        with session.begin_nested():
            session.add(experiment)
    except IntegrityError:
        raise AlreadyRunning(campaign.slug) from None
    return experiment


def of_campaign(session: Session, campaign_id: int) -> list[Experiment]:
    """The campaign's experiments, the latest started first."""
    return list(
        session.scalars(
            sa.select(Experiment)
            .where(Experiment.campaign_id == campaign_id)
            .order_by(Experiment.started_at.desc(), Experiment.id.desc())
        )
    )


def start(session: Session, campaign: Campaign, body: ExperimentCreate) -> Experiment:
    """The experiment a checked request describes (the API's body, the staff form's fields)."""
    return create(
        session,
        campaign,
        name=body.name,
        allocation=body.allocation,
        variants=body.variants,
        cap_minor=body.cap_minor,
    )


def get(session: Session, campaign: Campaign, experiment_id: int) -> Experiment:
    """The campaign's experiment by id; another campaign's is not found."""
    experiment = session.get(Experiment, experiment_id) if is_id(experiment_id) else None
    if experiment is None or experiment.campaign_id != campaign.id:
        raise ExperimentNotFound(experiment_id)
    return experiment


def end(session: Session, campaign: Campaign, experiment: Experiment, keep: str | None) -> None:
    """End it; a kept variant's words become the campaign's ask."""
    if experiment.status != RUNNING:
        raise AlreadyEnded(experiment.id)
    kept = None
    if keep is not None:
        kept = next((v for v in experiment.variants if v.key == keep), None)
        if kept is None:
            raise UnknownVariant(keep)
    experiment.status = ENDED
    experiment.ended_at = utcnow()
    experiment.kept_key = keep
    if kept is not None:
        campaign.ask_heading = kept.heading
        campaign.ask_text = kept.text
        campaign.ask_share_text = kept.share_text
        campaign.ask_card_headline = kept.card_headline
    session.flush()


def add_views(session: Session, variant_id: int, day: dt.date, count: int = 1) -> None:
    """Add to a variant's views of a day: one UPSERT, safe under concurrent page views."""
    statement = dialects.insert(session, VariantDay).values(
        variant_id=variant_id, day=day, views=count
    )
    statement = statement.on_conflict_do_update(
        index_elements=["variant_id", "day"],
        set_={"views": VariantDay.views + statement.excluded.views},
    )
    session.execute(statement)


def assign(session: Session, campaign: Campaign, now: dt.datetime | None = None) -> Variant | None:
    """The variant this page view shows (counted as a view), or None without an experiment."""
    experiment = running(session, campaign.id)
    if experiment is None:
        return None
    now = now or utcnow()
    weights = _weights(session, campaign, experiment, now)
    variant = experiment.variants[stats.pick(weights, _rng.random())]
    add_views(session, variant.id, now.date())
    return variant


def variant_for_share(session: Session, campaign_id: int, variant_id: int | None) -> int | None:
    """The variant id a share form carried if it is one of the campaign's running experiment;
    anything else (stale, forged, another campaign's) records no variant."""
    if variant_id is None:
        return None
    experiment = running(session, campaign_id)
    if experiment is None:
        return None
    return variant_id if any(v.id == variant_id for v in experiment.variants) else None


def _weights(session, campaign, experiment: Experiment, now: dt.datetime) -> list[float]:
    """Equal, or Thompson sampling worked out once a day and kept on the experiment."""
    arms = len(experiment.variants)
    if experiment.allocation == "equal":
        return stats.allocation([0.0] * arms, adaptive=False)
    if experiment.weights_day == now.date() and experiment.weights:
        return [float(w) for w in experiment.weights.split(",")]
    data = read(session, campaign, experiment, now, mature_only=False)
    capped = [
        [min(c.amount_minor, experiment.cap_minor) for c in data.credits if c.arm == a]
        for a in range(arms)
    ]
    views = [sum(v[a] for v in data.day_views.values()) for a in range(arms)]
    weights = stats.allocation(stats.chance_best(views, capped, seed=now.toordinal()), True)
    experiment.weights = ",".join(f"{w:.4f}" for w in weights)
    experiment.weights_day = now.date()
    return weights


# --- reading ------------------------------------------------------------------------------

# Refunds and chargebacks come in within about this long after a pledge: views count toward
# the verdict only once the attribution window and this have passed (docs/experiments.md).
REFUND_LAG_DAYS = 14


class Data:
    """An experiment's stored figures: per variant counts, and the (mature) credits."""

    def __init__(self):
        self.counts: list[dict] = []
        self.credits: list[stats.Credit] = []
        self.day_views: dict[int, list[int]] = {}
        self.share_variant: dict[int, int] = {}  # share id: arm
        self.daily: dict[int, list[list[int]]] = {}  # day: per arm [views, money]


def mature_before(campaign: Campaign, now: dt.datetime) -> dt.date:
    """Views of days before this are mature: their pledges are in and settled."""
    return now.date() - dt.timedelta(days=campaign.window_days + REFUND_LAG_DAYS)


def read(
    session: Session,
    campaign: Campaign,
    experiment: Experiment,
    now: dt.datetime | None = None,
    mature_only: bool = True,
) -> Data:
    """Views, shares, pledges and money per variant, under the campaign's attribution model;
    the credits and daily views the verdict reads (mature ones unless mature_only is False)."""
    now = now or utcnow()
    arm_of = {v.id: v.position for v in experiment.variants}
    arms = len(arm_of)
    cutoff = mature_before(campaign, now) if mature_only else now.date() + dt.timedelta(days=1)
    data = Data()
    data.counts = [{"views": 0, "shares": 0, "pledges": set(), "money": 0} for _ in range(arms)]
    for variant_id, day, views in session.execute(
        sa.select(VariantDay.variant_id, VariantDay.day, VariantDay.views).where(
            VariantDay.variant_id.in_(list(arm_of))
        )
    ):
        arm = arm_of[variant_id]
        data.counts[arm]["views"] += views
        data.daily.setdefault(day.toordinal(), [[0, 0] for _ in range(arms)])[arm][0] += views
        if day < cutoff:
            data.day_views.setdefault(day.toordinal(), [0] * arms)[arm] += views
    for share_id, variant_id in session.execute(
        sa.select(Share.id, Share.variant_id).where(
            Share.campaign_id == campaign.id, Share.variant_id.in_(list(arm_of))
        )
    ):
        data.share_variant[share_id] = arm_of[variant_id]
        data.counts[arm_of[variant_id]]["shares"] += 1
    _read_credits(session, campaign, data, arm_of, cutoff)
    return data


def _read_credits(session, campaign, data: Data, arm_of, cutoff: dt.date) -> None:
    arms = len(arm_of)
    rows = session.execute(
        sa.select(
            PledgeCredit.pledge_id, PledgeCredit.amount_minor, Share.variant_id, Share.created_at
        )
        .join(Share, Share.id == PledgeCredit.share_id)
        .where(
            PledgeCredit.campaign_id == campaign.id,
            PledgeCredit.model == campaign.attribution_model,
            Share.variant_id.in_(list(arm_of)),
        )
    )
    for pledge_id, amount, variant_id, created_at in rows:
        arm = arm_of[variant_id]
        counts = data.counts[arm]
        counts["pledges"].add(pledge_id)
        counts["money"] += amount
        day = created_at.date().toordinal()
        data.daily.setdefault(day, [[0, 0] for _ in range(arms)])[arm][1] += amount
        if created_at.date() < cutoff:
            data.credits.append(stats.Credit(day, arm, amount))


def results(
    session: Session,
    campaign: Campaign,
    experiment: Experiment,
    clicks_by_share: dict[int, int],
    now: dt.datetime | None = None,
) -> stats.Results:
    """Every figure per variant and the verdict. Clicks per share come from the caller (the
    reports' click reader sits above this package)."""
    data = read(session, campaign, experiment, now)
    clicks = [0] * len(experiment.variants)
    for share_id, arm in data.share_variant.items():
        clicks[arm] += clicks_by_share.get(share_id, 0)
    counts = [
        stats.ArmCounts(
            views=c["views"],
            shares=c["shares"],
            clicks=clicks[a],
            pledges=len(c["pledges"]),
            money_minor=c["money"],
        )
        for a, c in enumerate(data.counts)
    ]
    keys = [v.key for v in experiment.variants]
    return stats.results(keys, counts, data.credits, data.day_views, experiment.cap_minor)


def share_ids(session: Session, experiment: Experiment) -> list[int]:
    """The shares made from the experiment's views (for the caller's click reader)."""
    ids = [v.id for v in experiment.variants]
    return list(session.scalars(sa.select(Share.id).where(Share.variant_id.in_(ids))))


# --- what a page shows --------------------------------------------------------------------

DEFAULT_HEADING = "Be a promoter"
DEFAULT_TEXT = (
    "Share the case: each button makes your own link, so the campaign can see which shares "
    "raise money. Your link is counted, never you."
)


class Ask:
    """The invitation to share a page shows: a variant's words, else the campaign's own."""

    def __init__(self, campaign: Campaign, variant: Variant | None = None):
        source = variant
        self.variant_id = variant.id if variant is not None else None
        self.heading = (source.heading if source else campaign.ask_heading) or DEFAULT_HEADING
        self.text = (source.text if source else campaign.ask_text) or DEFAULT_TEXT
        share_text = source.share_text if source else campaign.ask_share_text
        self.share_text = share_text or campaign.title
        card = source.card_headline if source else campaign.ask_card_headline
        self.card_headline = card


def ask_for_view(session: Session, campaign: Campaign, machine: bool = False) -> Ask:
    """The ask one page view shows: a variant drawn for it (and counted), or the campaign's.

    Only a person's view of an active campaign (whose page shows the ask) is drawn and counted;
    a machine's (bots, link previews, prefetches) sees the campaign's own words.
    """
    if machine or campaign.status != ACTIVE:
        return Ask(campaign)
    return Ask(campaign, assign(session, campaign))


def ask_of_share(session: Session, campaign: Campaign, variant_id: int | None) -> Ask:
    """The ask a share form came from, if its variant is the running experiment's."""
    valid = variant_for_share(session, campaign.id, variant_id)
    return Ask(campaign, session.get(Variant, valid) if valid is not None else None)
