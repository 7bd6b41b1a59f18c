"""`flask import-payments`: a platform's CSV export in, all or nothing, no personal column kept."""

from __future__ import annotations

import csv
import dataclasses
import io
import tracemalloc

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.imports import payments, presets
from sharetrack.models import Pledge, PledgeCredit, PledgeTouch
from tests.conftest import BOTH_ENGINES

# Stripe's unified payments export: the columns the preset reads, among personal ones.
STRIPE_HEADER = [
    "id",
    "Description",
    "Created date (UTC)",
    "Amount",
    "Amount Refunded",
    "Currency",
    "Status",
    "Customer Email",
    "Card Name",
    "Card Address Line1",
    "sharetrack_ref (metadata)",
]


def stripe_row(pid, amount="25.00", *, refunded="0.00", status="Paid", ref="", **over):
    row = {
        "id": pid,
        "Description": "Thank you, Ada!",
        "Created date (UTC)": "2026-03-01 12:00:00",
        "Amount": amount,
        "Amount Refunded": refunded,
        "Currency": "gbp",
        "Status": status,
        "Customer Email": "ada@example.org",
        "Card Name": "Ada Lovelace",
        "Card Address Line1": "12 Analytical Row",
        "sharetrack_ref (metadata)": ref,
    } | over
    return [row[name] for name in STRIPE_HEADER]


@pytest.fixture
def csv_file(tmp_path):
    counter = iter(range(10**6))

    def write(rows, header=STRIPE_HEADER) -> str:
        path = tmp_path / f"payments-{next(counter)}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            if header is not None:
                writer.writerow(header)
            writer.writerows(rows)
        return str(path)

    return write


@pytest.fixture
def run(runner):
    def invoke(path, slug, *args):
        return runner.invoke(args=["import-payments", path, "--campaign", slug, *args])

    return invoke


def stored(app, campaign_id):
    with app.app_context():
        return {
            p.external_id: (p.amount_minor, p.status, p.source, p.verified)
            for p in db.session.scalars(sa.select(Pledge).where(Pledge.campaign_id == campaign_id))
        }


@BOTH_ENGINES
def test_stripe_export_is_stored_as_verified_pledges_with_credit(
    app, make_campaign, make_share, csv_file, run
):
    campaign = make_campaign()
    share, token = make_share(campaign)
    path = csv_file(
        [
            stripe_row("py_1", "25.00", ref=token),
            stripe_row("py_2", "1,200.50", refunded="200.50"),
            stripe_row("py_3", "10.00", refunded="10.00", status="Refunded"),
        ]
    )
    result = run(path, campaign.slug, "--preset", "stripe")
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    assert stored(app, campaign.id) == {
        "py_1": (2500, "paid", "import", True),
        "py_2": (100_000, "paid", "import", True),
        "py_3": (1000, "refunded", "import", True),
    }
    with app.app_context():
        credits = db.session.execute(
            sa.select(PledgeCredit.share_id, PledgeCredit.amount_minor)
            .join(Pledge, Pledge.id == PledgeCredit.pledge_id)
            .where(Pledge.external_id == "py_1")
        ).all()
        assert {tuple(c) for c in credits} == {(share.id, 2500)}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PledgeTouch)) == 1


@BOTH_ENGINES
def test_reimport_is_idempotent_and_a_later_refund_is_followed(app, make_campaign, csv_file, run):
    campaign = make_campaign()
    first = csv_file([stripe_row("py_1"), stripe_row("py_2")])
    assert run(first, campaign.slug, "--preset", "stripe").exit_code == 0
    again = run(first, campaign.slug, "--preset", "stripe")
    assert again.exit_code == 0 and "0 new, 0 updated, 2 unchanged" in again.output
    later = csv_file([stripe_row("py_1", status="Refunded", refunded="25.00")])
    assert run(later, campaign.slug, "--preset", "stripe").exit_code == 0
    assert stored(app, campaign.id) == {
        "py_1": (2500, "refunded", "import", True),
        "py_2": (2500, "paid", "import", True),
    }


def counted(app, campaign_id):
    """The campaign's counted money (paid pledges) and its credited money."""
    with app.app_context():
        paid = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount_minor), 0)).where(
                Pledge.campaign_id == campaign_id, Pledge.status == "paid"
            )
        )
        credit = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PledgeCredit.amount_minor), 0))
            .join(Pledge, Pledge.id == PledgeCredit.pledge_id)
            .where(Pledge.campaign_id == campaign_id, PledgeCredit.model == "last_click")
        )
        return paid, credit


@pytest.mark.parametrize("status", ["Paid", "Partially refunded"])
@BOTH_ENGINES
def test_a_later_exports_partial_refund_lowers_the_amount(
    app, make_campaign, make_share, csv_file, run, status
):
    # The export is the payment's state now: paid 10.00, then 3.00 of it refunded.
    campaign = make_campaign()
    _share, token = make_share(campaign)
    first = csv_file([stripe_row("py_1", "10.00", ref=token)])
    assert run(first, campaign.slug, "--preset", "stripe").exit_code == 0
    assert counted(app, campaign.id) == (1000, 1000)
    later = csv_file([stripe_row("py_1", "10.00", refunded="3.00", status=status, ref=token)])
    result = run(later, campaign.slug, "--preset", "stripe")
    assert result.exit_code == 0 and "1 updated" in result.output, result.output
    assert stored(app, campaign.id) == {"py_1": (700, "paid", "import", True)}
    assert counted(app, campaign.id) == (700, 700)  # credit shrinks with it
    again = run(later, campaign.slug, "--preset", "stripe")
    assert "0 new, 0 updated, 1 unchanged" in again.output, again.output
    # An older export uploaded again gives back no refunded money (a payment is made once).
    stale = run(first, campaign.slug, "--preset", "stripe")
    assert "1 unchanged" in stale.output and counted(app, campaign.id) == (700, 700)
    refunded = csv_file([stripe_row("py_1", "10.00", refunded="10.00", status="Refunded")])
    assert run(refunded, campaign.slug, "--preset", "stripe").exit_code == 0
    assert stored(app, campaign.id)["py_1"][1] == "refunded"
    assert counted(app, campaign.id) == (0, 0)
    assert "1 unchanged" in run(later, campaign.slug, "--preset", "stripe").output


@BOTH_ENGINES
def test_without_an_id_a_refund_finds_its_payment(app, make_campaign, csv_file, run):
    # No id column: the payment is its time and the amount paid, not what is left of it.
    campaign = make_campaign()
    header = ["Date", "Gross", "Refunded", "Currency"]
    mapping = "date=Date,amount=Gross,refunded=Refunded,currency=Currency"
    paid = csv_file([["2026-03-01 09:30:00", "10.00", "0", "GBP"]], header)
    assert run(paid, campaign.slug, "--map", mapping).exit_code == 0
    part = csv_file([["2026-03-01 09:30:00", "10.00", "3.00", "GBP"]], header)
    assert "1 updated" in run(part, campaign.slug, "--map", mapping).output
    assert stored(app, campaign.id) == {
        "csv:2026-03-01T09:30:00Z:1000": (700, "paid", "import", True)
    }


@BOTH_ENGINES
def test_without_an_id_a_payment_is_its_time_and_amount(app, make_campaign, csv_file, run):
    campaign = make_campaign()
    header = ["Date", "Gross", "Currency", "Donor name"]
    rows = [
        ["2026-03-01T10:00:00+01:00", "5.00", "GBP", "Ada"],
        ["2026-03-01 09:30:00", "7.50", "GBP", "Grace"],
    ]
    path = csv_file(rows, header)
    mapping = "date=Date,amount=Gross,currency=Currency"
    assert run(path, campaign.slug, "--map", mapping).exit_code == 0
    repeat = run(path, campaign.slug, "--map", mapping)
    assert repeat.exit_code == 0 and "2 unchanged" in repeat.output
    assert stored(app, campaign.id) == {
        "csv:2026-03-01T09:00:00Z:500": (500, "paid", "import", True),
        "csv:2026-03-01T09:30:00Z:750": (750, "paid", "import", True),
    }


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([stripe_row("py_1")], STRIPE_HEADER[:3] + STRIPE_HEADER[4:], "line 1: no column 'Amount'"),
        ([stripe_row("py_1"), stripe_row("py_2", "12,5x")], STRIPE_HEADER, "line 3: amount"),
        (
            [stripe_row("py_1", **{"Created date (UTC)": "yesterday"})],
            STRIPE_HEADER,
            "line 2: date 'yesterday'",
        ),
        ([stripe_row("py_1", Currency="zzz")], STRIPE_HEADER, "line 2: currency 'zzz'"),
        ([], STRIPE_HEADER, "line 1: the file has a header and no payments"),
        ([stripe_row("py_1", Currency="eur")], STRIPE_HEADER, "line 2: the campaign takes GBP"),
        ([stripe_row("py_1", "20000.01")], STRIPE_HEADER, "line 2: the campaign takes pledges"),
        ([stripe_row("py_1", Status="Exploded")], STRIPE_HEADER, "line 2: status 'Exploded'"),
    ],
)
@BOTH_ENGINES
def test_bad_input_is_refused_by_line_with_nothing_stored(
    app, make_campaign, csv_file, run, rows, header, expected
):
    campaign = make_campaign(max_pledge_minor=2_000_000)
    # rows after the bad one would be stored were the file not refused as a whole
    good = [stripe_row(f"ok_{n}") for n in range(3)] if rows else []
    result = run(csv_file(rows + good, header), campaign.slug, "--preset", "stripe")
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "nothing was stored" in result.output
    assert stored(app, campaign.id) == {}


def test_usage_errors(make_campaign, csv_file, run):
    campaign = make_campaign()
    path = csv_file([stripe_row("py_1")])
    assert "give a preset" in run(path, campaign.slug).output
    assert "unknown preset" in run(path, campaign.slug, "--preset", "paypal").output
    assert (
        "name the column of currency" in run(path, campaign.slug, "--map", "date=a,amount=b").output
    )
    assert "no campaign" in run(path, "nope", "--preset", "stripe").output


def test_map_overrides_a_preset_column():
    mapping = presets.mapping_for("stripe", "ref=campaign_ref (metadata),status=")
    assert mapping.ref == "campaign_ref (metadata)" and mapping.status is None
    assert mapping.amount == "Amount"


def test_parsed_rows_hold_no_personal_cell():
    """Names, emails and addresses never reach a parsed row: only mapped cells are picked."""
    text = io.StringIO()
    csv.writer(text).writerows([STRIPE_HEADER, stripe_row("py_1")])
    text.seek(0)
    outcome = payments.Outcome()
    rows = list(payments.read_rows(text, presets.STRIPE, outcome))
    assert outcome.errors == [] and len(rows) == 1
    values = {str(v) for v in dataclasses.astuple(rows[0])}
    for personal in ("ada@example.org", "Ada Lovelace", "12 Analytical Row", "Thank you, Ada!"):
        assert not any(personal in v for v in values)


def test_the_file_is_streamed_not_loaded(tmp_path):
    """Peak memory while reading stays far below the file's size."""
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(STRIPE_HEADER)
        for n in range(5_000):  # few rows, long ones: tracemalloc slows every allocation
            writer.writerow(stripe_row(f"py_{n}", Description="x" * 1000))
    size = path.stat().st_size
    outcome = payments.Outcome()
    with path.open(newline="") as stream:
        tracemalloc.start()
        try:
            count = sum(1 for _ in payments.read_rows(stream, presets.STRIPE, outcome))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == 5_000 and outcome.errors == []
    assert size > 5_000_000
    assert peak < size / 20, (peak, size)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "GBP", 1250),
        ("1,234.56", "GBP", 123456),
        ("399,00", "EUR", 39900),
        ("500", "JPY", 500),
    ],
)
def test_amounts_are_read_exactly(text, currency, minor):
    assert payments.amount_of(text, currency) == minor


def test_an_amount_finer_than_the_currency_is_refused():
    with pytest.raises(payments.RowRefused):
        payments.amount_of("1.5", "JPY")
