"""Writing a checked import plan in one transaction, in bulk. The caller commits."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..attribution import engine
from ..links.service import new_promoter_code
from ..models import (
    LIVE_STATUSES,
    Campaign,
    Click,
    ImportFile,
    Pledge,
    PledgeCredit,
    PledgeTouch,
    Promoter,
    Share,
    utcnow,
)
from ..pledges import service as pledges
from ..tracking import retention, rollup
from .lines import Plan

CHUNK = 10_000
IMPORT_CACHE_KIB = 256 * 1024


@dataclass
class Stored:
    campaigns: int = 0
    promoters: int = 0
    shares: int = 0
    clicks: int = 0
    pledges_new: int = 0
    pledges_updated: int = 0
    shares_known: int = 0  # matched by campaign and import key: stored before
    clicks_known: int = 0  # matched by share, time and bot flag: stored before


def imported_before(session: Session, sha256: str) -> ImportFile | None:
    """The record of an earlier import of the file with this SHA-256, if any."""
    return session.scalar(sa.select(ImportFile).where(ImportFile.sha256 == sha256))


def remember(session: Session, sha256: str, lines: int) -> None:
    """Record that the file with this SHA-256 was imported (once; a forced repeat keeps it)."""
    if imported_before(session, sha256) is None:
        session.add(ImportFile(sha256=sha256, lines=lines, imported_at=utcnow()))


def _chunks(rows: list, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(session: Session, model, rows: list[dict]) -> None:
    """Insert rows with Core (the ORM's bulk path costs more than the database here)."""
    table = model.__table__
    connection = session.connection()
    for chunk in _chunks(rows):
        connection.execute(table.insert(), chunk)


def _driver_insert(session: Session, model, columns: list[str]):
    """A function inserting tuples of `columns` (all of the table's but its id) straight
    through the driver's executemany.

    For the million clicks of an import: SQLAlchemy's per-value processing costs more than
    SQLite's insert. Naive UTC datetimes and dates go to SQLite as the text SQLAlchemy writes.
    """
    connection = session.connection()
    dialect = connection.dialect
    compiled = model.__table__.insert().compile(dialect=dialect, column_keys=columns)
    sql = str(compiled)
    if dialect.name == "sqlite":
        order = [columns.index(name) for name in compiled.positiontup]

        def value(v):
            if isinstance(v, dt.datetime):
                return v.isoformat(" ", "microseconds")
            return v.isoformat() if isinstance(v, dt.date) else v

        def insert(rows: list[tuple]) -> None:
            connection.exec_driver_sql(sql, [tuple(value(row[i]) for i in order) for row in rows])
    else:

        def insert(rows: list[tuple]) -> None:
            connection.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])

    return insert


def _reserve_ids(session: Session, model, n: int) -> list[int]:
    """Ids for n new rows, so they go in by plain executemany: RETURNING in a set order makes
    SQLAlchemy insert one row per statement on SQLite."""
    if n == 0:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": n},
            )
        )
    # SQLite has one writer: once this transaction has written, max(id) cannot move under us.
    session.execute(sa.text(f"UPDATE {table.name} SET id = id WHERE 0"))  # noqa: S608 - our table
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    return list(range(start + 1, start + n + 1))


def _insert_with_ids(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert rows under reserved ids; returns the ids in the rows' order."""
    ids = _reserve_ids(session, model, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    _insert(session, model, rows)
    return ids


def store(session: Session, plan: Plan, advance: Callable[[int], None] = lambda n: None) -> Stored:
    """Write everything in `plan`; `advance(n)` reports n more records written."""
    with _big_cache(session):
        return _store(session, plan, advance)


@contextlib.contextmanager
def _big_cache(session: Session):
    """On SQLite, a page cache the indexes fit in: random index inserts stop reading pages."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    previous = session.execute(sa.text("PRAGMA cache_size")).scalar()
    session.execute(sa.text(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(sa.text(f"PRAGMA cache_size = {int(previous)}"))


def _store(session: Session, plan: Plan, advance: Callable[[int], None]) -> Stored:
    done = Stored()
    # Old clicks land in days that may be folded already: hold the watermark meanwhile.
    folded_before = rollup.lock(session)
    campaigns = {slug: cid for slug, (cid, _) in plan.stored_campaigns.items()}
    for slug, line in plan.campaigns.items():
        campaign = Campaign(**line.model_dump(exclude={"type"}))
        session.add(campaign)
        session.flush()
        campaigns[slug] = campaign.id
        done.campaigns += 1
    advance(len(plan.campaigns))

    share_ids = _known_shares(session, plan, campaigns)
    known = set(share_ids)
    # The same external promoter id is the same (new, anonymous) promoter; a known share
    # keeps the promoter it has.
    external = sorted(
        {s.promoter for s in plan.shares if s.promoter is not None and s.key not in known}
    )
    now = utcnow()
    promoter_ids = dict(
        zip(
            external,
            _insert_with_ids(
                session,
                Promoter,
                [
                    {
                        "code": new_promoter_code(),
                        "created_at": now,
                        "display_name": None,
                        "email": None,
                    }
                    for _ in external
                ],
            ),
            strict=True,
        )
    )
    done.promoters = len(external)

    done.shares_known = len(known)
    level: list = []
    for share in [*(s for s in plan.shares if s.key not in known), None]:  # parents first:
        if share is not None and (not level or level[0].depth == share.depth):  # one insert
            level.append(share)  # per depth
            continue
        rows = [
            {
                "campaign_id": campaigns[s.campaign],
                "promoter_id": promoter_ids.get(s.promoter) if s.promoter else None,
                "channel": s.channel,
                "parent_id": share_ids[s.parent] if s.parent else None,
                "created_at": s.created_at,
                "import_key": s.key,
            }
            for s in level
        ]
        share_ids.update(
            zip([s.key for s in level], _insert_with_ids(session, Share, rows), strict=True)
        )
        advance(len(level))
        level = [share] if share is not None else []
    done.shares = len(share_ids) - len(known)
    if known:
        before = len(plan.clicks)
        plan.clicks = _new_clicks(session, plan.clicks, {k: share_ids[k] for k in known})
        done.clicks_known = before - len(plan.clicks)

    insert_clicks = _driver_insert(
        session,
        Click,
        ["share_id", "at", "day", "is_bot", "is_scan", "referrer_host", "visitor_hash"],
    )
    last_id = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Click.id), 0)))
    for chunk in _chunks(plan.clicks):
        insert_clicks(
            [
                (share_ids[key], at, at.date(), bot, False, None, digest)
                for key, at, digest, bot in chunk
            ]
        )
        done.clicks += len(chunk)
        advance(len(chunk))
    if folded_before is not None:  # clicks of days folded already: added to their aggregates
        rollup.add_imported(session, last_id, folded_before)
    rollup.fold(session)
    retention.forget_visitors(session)  # old days' hashes were needed for the fold only

    _store_pledges(session, plan, campaigns, share_ids, done)
    advance(len(plan.pledges))
    return done


def _known_shares(session: Session, plan: Plan, campaigns: dict) -> dict[str, int]:
    """{import key: id} of the plan's shares already stored under their campaign."""
    by_campaign: dict[int, list[str]] = {}
    for share in plan.shares:
        if share.campaign in plan.stored_campaigns:  # a new campaign has no shares yet
            by_campaign.setdefault(campaigns[share.campaign], []).append(share.key)
    found: dict[str, int] = {}
    for cid, keys in by_campaign.items():
        for chunk in _chunks(keys, 1000):
            found.update(
                session.execute(
                    sa.select(Share.import_key, Share.id).where(
                        Share.campaign_id == cid, Share.import_key.in_(chunk)
                    )
                ).all()
            )
    return found


def _new_clicks(session: Session, clicks: list, known: dict[str, int]) -> list:
    """The clicks not stored yet: on a known share, a click at the same time with the same bot
    flag is the same click (counted, so two such clicks in the file and one stored keep one)."""
    stored: dict[tuple[int, dt.datetime, bool], int] = {}
    ids = sorted(set(known.values()))
    for chunk in _chunks(ids, 1000):
        rows = session.execute(
            sa.select(Click.share_id, Click.at, Click.is_bot, sa.func.count())
            .where(Click.share_id.in_(chunk))
            .group_by(Click.share_id, Click.at, Click.is_bot)
        )
        stored.update(((sid, at, bool(bot)), n) for sid, at, bot, n in rows)
    out = []
    for click in clicks:
        key, at, _unique, bot = click
        slot = (known.get(key), at, bot)
        if stored.get(slot):
            stored[slot] -= 1
            continue
        out.append(click)
    return out


def _store_pledges(session, plan: Plan, campaigns: dict, share_ids: dict, done: Stored) -> None:
    """New pledges in bulk with their credits; pledges already stored through the webhook path."""
    windows = dict(
        session.execute(
            sa.select(Campaign.id, Campaign.window_days).where(
                Campaign.id.in_(list(campaigns.values()))
            )
        ).all()
    )
    existing: set[tuple[int, str]] = set()
    by_campaign: dict[int, list[str]] = {}
    for record in plan.pledges:
        by_campaign.setdefault(campaigns[record.campaign], []).append(record.external_id)
    for cid, external_ids in by_campaign.items():
        for chunk in _chunks(external_ids, 1000):
            existing.update(
                (cid, eid)
                for eid in session.scalars(
                    sa.select(Pledge.external_id).where(
                        Pledge.campaign_id == cid, Pledge.external_id.in_(chunk)
                    )
                )
            )

    def touches_of(event_touches) -> tuple:
        return tuple((share_ids[key], at) for key, at in event_touches)

    new_rows, new_states = [], []
    now = utcnow()
    for record in plan.pledges:
        cid = campaigns[record.campaign]
        if (cid, record.external_id) in existing:
            campaign = session.get(Campaign, cid)
            changed = False
            for event in record.deliveries:
                changed |= pledges.apply(
                    session,
                    campaign,
                    pledges.Delivery(
                        record.external_id,
                        event.amount_minor,
                        record.currency,
                        event.status,
                        event.occurred_at,
                        touches_of(event.touches),
                        source="import",
                    ),
                ).changed
            done.pledges_updated += changed  # a pledge the file says nothing new of is not one
            continue
        state = pledges.replay(e._replace(touches=touches_of(e.touches)) for e in record.deliveries)
        new_states.append((cid, state))
        new_rows.append(
            {
                "campaign_id": cid,
                "external_id": record.external_id,
                "amount_minor": state.amount_minor,
                "currency": record.currency,
                "status": state.status,
                "pledged_at": state.pledged_at,
                "occurred_at": state.occurred_at,
                "source": "import",  # imports are by staff: verified
                "verified": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = _insert_with_ids(session, Pledge, new_rows)
    touch_rows, credit_rows = [], []
    for pledge_id, (cid, state) in zip(ids, new_states, strict=True):
        touch_rows.extend(
            {"pledge_id": pledge_id, "share_id": s, "at": at} for s, at in state.touches
        )
        if state.status in LIVE_STATUSES:  # verified (an import): counted when live
            credit_rows.extend(
                engine.credit_rows(
                    pledge_id=pledge_id,
                    campaign_id=cid,
                    amount_minor=state.amount_minor,
                    pledged_at=state.pledged_at,
                    touches=state.touches,
                    window_days=windows[cid],
                )
            )
    _insert(session, PledgeTouch, touch_rows)
    _insert(session, PledgeCredit, credit_rows)
    done.pledges_new = len(ids)
