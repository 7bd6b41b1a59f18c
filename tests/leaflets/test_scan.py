"""A leaflet's code still scans from a small, folded, blotted, blurred and noisy print."""

from __future__ import annotations

import random

import pytest
import qrcode
from PIL import Image, ImageDraw, ImageFilter
from qrcode.constants import ERROR_CORRECT_L
from qrcode.util import MODE_ALPHA_NUM, QRData

from sharetrack.signing import MAX_SHARE_ID
from tests.leaflets.conftest import decode, open_png

PRINTED_MM = 25  # the smallest the print sheet may make a code (quiet zone included)
CAMERA_DPI = 300  # pixels per inch the "photo" of the print resolves: ~12 a millimetre
SEEDS = range(1, 6)


def photograph(sharp: Image.Image, seed: int) -> Image.Image:
    """The code as a phone sees a worn leaflet: 25 mm, grey ink, a fold, a blot, blur, noise."""
    rnd = random.Random(seed)
    side = round(PRINTED_MM / 25.4 * CAMERA_DPI)
    image = sharp.convert("L").resize((side, side), Image.Resampling.LANCZOS)
    image = image.point(lambda v: 60 + v * 140 // 255)  # grey paper, worn ink: less contrast
    # A fold across the code: a dark crease, and the half below it in shadow.
    crease = (0, int(side * (0.55 + rnd.uniform(-0.05, 0.05)))), (side, int(side * 0.45))
    upper = Image.new("L", image.size, 0)
    ImageDraw.Draw(upper).polygon([(0, 0), (side, 0), crease[1], crease[0]], fill=255)
    image = Image.composite(image, image.point(lambda v: v * 72 // 100), upper)
    draw = ImageDraw.Draw(image)
    draw.line(crease, fill=90, width=side // 60)
    # A blot (rain, a thumb) over a fifth of the symbol's width, away from the finders.
    module = side / 41
    blot = 0.2 * 33 * module
    x, y = (4 + rnd.uniform(12, 16)) * module, (4 + rnd.uniform(12, 16)) * module
    draw.ellipse([x, y, x + blot, y + blot], fill=70)
    # Held at a slant, slightly out of focus, with sensor noise.
    image = image.rotate(rnd.uniform(-8, 8), Image.Resampling.BICUBIC, expand=True, fillcolor=200)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    noise = bytes(max(0, min(255, int(v + rnd.gauss(0, 12)))) for v in image.tobytes())
    return Image.frombytes("L", image.size, noise)


@pytest.fixture
def longest_link(app, make_share_with_id):
    """A 34-character origin and the longest token: the densest code the service makes."""
    return make_share_with_id(MAX_SHARE_ID)


# The simulated wear was calibrated on the link this key signs: another key, another code.
@pytest.mark.parametrize(
    "app_config",
    [
        {
            "BASE_URL": "https://share.our-campaign.example",
            "SECRET_KEY": "test-secret-key-0123456789",
        }
    ],
    indirect=True,
)
def test_worn_printed_code_still_decodes_at_level_q(client, longest_link):
    response = client.get(f"/s/{longest_link}/qr.png?size=2048")
    sharp = open_png(response.data)
    expected = decode(sharp)[0].text

    for seed in SEEDS:
        found = decode(photograph(sharp, seed))
        assert found, f"the worn code (seed {seed}) did not scan"
        assert found[0].text == expected
        assert found[0].ec_level == "Q"

    # The damage is real: the same wear on a level-L code of the same link defeats it.
    weak = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=4)
    weak.add_data(QRData(expected.encode(), mode=MODE_ALPHA_NUM))
    weak_image = weak.make_image().get_image().resize((2048, 2048), Image.Resampling.NEAREST)
    unreadable = [seed for seed in SEEDS if not decode(photograph(weak_image, seed))]
    assert len(unreadable) >= 3, "the simulated wear is too gentle to test anything"
