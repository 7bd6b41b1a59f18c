"""Benchmark set-up: a campaign with 200 leaflet batches; writes their tokens, one a line."""

from __future__ import annotations

import sys

from sharetrack import create_app
from sharetrack.extensions import db
from sharetrack.leaflets import service
from sharetrack.models import Campaign
from sharetrack.services import services

app = create_app()
with app.app_context():
    campaign = Campaign(
        slug="bench", title="Benchmark campaign", landing_url="https://case.example/pledge"
    )
    db.session.add(campaign)
    db.session.flush()
    batches = [
        service.create_batch(db.session, campaign=campaign, label=f"Batch {n}", printed=500)
        for n in range(200)
    ]
    db.session.commit()
    tokens = services(app).tokens
    with open(sys.argv[1], "w") as out:
        out.writelines(tokens.share_token(b.share_id) + "\n" for b in batches)
