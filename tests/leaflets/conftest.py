"""Fixtures for leaflets: batches, and reading QR images back with a real decoder."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
import zxingcpp
from PIL import Image

from sharetrack.extensions import db
from sharetrack.leaflets import service
from sharetrack.links import service as links
from sharetrack.models import Campaign, Share
from sharetrack.services import services
from tests.pledges.conftest import deliver, pledge_body  # noqa: F401  (fixtures)


@pytest.fixture
def app_config(app_config, request):
    """Let a test change settings (BASE_URL, say) through indirect parametrisation."""
    return {**app_config, **getattr(request, "param", {})}


@dataclass(frozen=True)
class Batch:
    id: int
    share_id: int
    token: str
    campaign: Campaign


@pytest.fixture
def make_batch(app, make_campaign):
    """Factory: a stored leaflet batch (its share made with it); returns a Batch."""

    def make(
        campaign: Campaign | None = None,
        label: str = "Notting Hill, 24 Aug",
        printed: int = 500,
        place: str | None = "Notting Hill Gate station",
        with_promoter: bool = False,
    ) -> Batch:
        campaign = campaign or make_campaign()
        with app.app_context():
            promoter = links.create_promoter(db.session) if with_promoter else None
            batch = service.create_batch(
                db.session,
                campaign=db.session.get(Campaign, campaign.id),
                label=label,
                printed=printed,
                place=place,
                promoter_code=promoter.code if promoter else None,
            )
            db.session.commit()
            token = services(app).tokens.share_token(batch.share_id)
            return Batch(batch.id, batch.share_id, token, campaign)

    return make


@pytest.fixture
def make_share_with_id(app, make_campaign):
    """Factory: a leaflet share with a chosen id (the largest gives the longest token)."""

    def make(share_id: int) -> str:
        campaign = make_campaign()
        with app.app_context():
            db.session.add(Share(id=share_id, campaign_id=campaign.id, channel="leaflet"))
            db.session.commit()
            return services(app).tokens.share_token(share_id)

    return make


def decode(image: Image.Image) -> list:
    """Every QR code zxing-cpp finds in the image."""
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def decode_one(image: Image.Image):
    """The single QR code in the image; fails the test otherwise."""
    found = decode(image)
    assert len(found) == 1, f"expected one QR code, zxing-cpp found {len(found)}"
    assert found[0].valid
    return found[0]


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


@dataclass(frozen=True)
class Grid:
    """The modules read off an image by pixels alone: where the symbol sits and its cells."""

    modules: list[list[bool]]
    module_px: float
    left_px: int
    top_px: int

    @property
    def size(self) -> int:
        return len(self.modules)

    @property
    def version(self) -> int:
        return (self.size - 17) // 4


def read_grid(image: Image.Image) -> Grid:
    """Sample an upright code by pixels: the top-left finder's 7-module run gives the pitch."""
    ink = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    left, top, right, _bottom = ink.getbbox()
    pixels = ink.load()
    run = 0
    while pixels[left + run, top]:
        run += 1
    module_px = run / 7
    count = round((right - left) / module_px)
    assert (count - 17) % 4 == 0, f"{count} modules is no QR symbol size"
    modules = [
        [
            bool(pixels[int(left + (c + 0.5) * module_px), int(top + (r + 0.5) * module_px)])
            for c in range(count)
        ]
        for r in range(count)
    ]
    return Grid(modules, module_px, left, top)
