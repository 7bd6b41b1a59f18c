"""GET /s/<token>/qr.png and /qr.svg: every image is read back by zxing-cpp."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import cairosvg
import pytest
import sqlalchemy as sa
from PIL import Image

from sharetrack.extensions import db
from sharetrack.leaflets import qr
from sharetrack.models import Click
from sharetrack.services import services
from sharetrack.signing import MAX_SHARE_ID
from tests.conftest import BOTH_ENGINES
from tests.leaflets.conftest import decode_one, open_png, read_grid
from tests.leaflets.test_qr import ORIGINS

PNG_MAGIC = b"\x89PNG"


def fetch_png(client, token, **query):
    """A PNG from the service, decoded: (zxing result, image, response)."""
    response = client.get(f"/s/{token}/qr.png", query_string=query)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "image/png"
    image = open_png(response.data)
    return decode_one(image), image, response


def fetch_svg(client, token, width=400, **query):
    """An SVG from the service, rasterised by cairosvg and decoded: (result, image, response)."""
    response = client.get(f"/s/{token}/qr.svg", query_string=query)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "image/svg+xml"
    raster = cairosvg.svg2png(bytestring=response.data, output_width=width, output_height=width)
    image = Image.open(io.BytesIO(raster)).convert("L")
    return decode_one(image), image, response


def follow_decoded(client, text):
    """Open the decoded text as a phone would: its path through this app's routes."""
    return client.get(urlsplit(text).path, headers={"User-Agent": "Mozilla/5.0 (Phone)"})


@BOTH_ENGINES
def test_png_decodes_to_the_uppercase_scan_link_which_opens_the_campaign(
    app, client, make_batch, engine_name
):
    batch = make_batch()
    result, _, _ = fetch_png(client, batch.token)
    assert result.text == f"HTTPS://ST.EXAMPLE/S/{batch.token.upper()}/Q"
    assert result.ec_level == "Q"
    assert result.symbology_identifier == "]Q1"  # model 2 QR, no ECI: plain alphanumeric text

    visit = follow_decoded(client, result.text)
    assert visit.status_code == 302
    landing = urlsplit(visit.headers["Location"])
    assert (landing.netloc, landing.path) == ("case.example", "/pledge")
    assert parse_qs(landing.query)["ref"] == [batch.token]
    assert parse_qs(landing.query)["utm_source"] == ["leaflet"]
    with app.app_context():
        stored = db.session.execute(sa.select(Click.share_id, Click.is_scan)).all()
    assert [tuple(row) for row in stored] == [(batch.share_id, True)]


@pytest.mark.parametrize("level", ["Q", "H"])
@pytest.mark.parametrize("size", [128, 129, 300, 512, 1000, 2048])
def test_every_size_and_level_decodes_with_a_quiet_zone_of_four(client, make_batch, size, level):
    batch = make_batch()
    result, image, _ = fetch_png(client, batch.token, size=size, level=level)
    assert image.size == (size, size)
    assert result.ec_level == level
    assert result.text.endswith(f"/S/{batch.token.upper()}/Q")
    grid = read_grid(image)
    assert grid.module_px == int(grid.module_px)  # whole pixels per module: crisp edges
    assert min(grid.left_px, grid.top_px) >= qr.QUIET_ZONE * grid.module_px
    assert size - (grid.left_px + grid.size * grid.module_px) >= qr.QUIET_ZONE * grid.module_px


@pytest.mark.parametrize(
    "app_config", [{"BASE_URL": origin} for origin in ORIGINS.values()], indirect=True
)
def test_version_from_module_count_for_the_longest_token(app, client, make_share_with_id):
    token = make_share_with_id(MAX_SHARE_ID)  # 24 characters, the longest a token gets
    origin = app.config["BASE_URL"]

    result, image, _ = fetch_png(client, token, size=400)
    grid = read_grid(image)
    assert grid.version <= 4, f"{len(origin)}-character origin gave version {grid.version}"
    assert result.extra["Version"] == str(grid.version)
    assert result.text == f"{origin.upper()}/S/{token.upper()}/Q"
    assert follow_decoded(client, result.text).status_code == 302

    strong, strong_image, _ = fetch_png(client, token, size=400, level="H")
    assert strong.ec_level == "H"
    assert strong.extra["Version"] == str(read_grid(strong_image).version)
    assert strong.text == result.text


@pytest.mark.parametrize("level", ["Q", "H"])
def test_svg_rasterised_decodes_and_holds_the_same_matrix_as_the_png(client, make_batch, level):
    batch = make_batch()
    from_svg, svg_image, response = fetch_svg(client, batch.token, level=level)
    from_png, png_image, _ = fetch_png(client, batch.token, level=level)
    assert from_svg.text == from_png.text
    assert from_svg.ec_level == level
    assert read_grid(svg_image).modules == read_grid(png_image).modules
    assert b"<script" not in response.data and b"style" not in response.data


def test_image_is_cacheable_with_a_strong_etag_and_revalidates_without_rendering(
    client, make_batch, monkeypatch
):
    batch = make_batch()
    _, _, first = fetch_png(client, batch.token, size=256)
    etag, weak = first.get_etag()
    assert etag and not weak
    assert first.headers["Cache-Control"] == "public, max-age=31536000"

    memo = services(client.application).qr_images
    before = memo.hits
    again = client.get(f"/s/{batch.token}/qr.png?size=256")
    assert again.data == first.data and again.get_etag() == (etag, False)
    assert memo.hits == before + 1  # answered from the memo

    def no_rendering(*_args):
        raise AssertionError("a revalidation must not render")

    monkeypatch.setattr(qr, "image", no_rendering)
    revalidated = client.get(
        f"/s/{batch.token}/qr.png?size=256", headers={"If-None-Match": f'"{etag}"'}
    )
    assert revalidated.status_code == 304 and revalidated.data == b""
    assert revalidated.headers["Cache-Control"] == "public, max-age=31536000"
    monkeypatch.undo()
    other_size = client.get(
        f"/s/{batch.token}/qr.png?size=300", headers={"If-None-Match": f'"{etag}"'}
    )
    assert other_size.status_code == 200 and other_size.get_etag()[0] != etag


def test_uppercase_token_gets_the_same_image(client, make_batch):
    batch = make_batch()
    lower = client.get(f"/s/{batch.token}/qr.svg")
    upper = client.get(f"/s/{batch.token.upper()}/qr.svg")
    assert upper.status_code == 200 and upper.data == lower.data


@pytest.mark.parametrize("fmt", ["png", "svg"])
@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # altered signature
        lambda t: t.split(".")[0],  # signature removed
        lambda t: "1.aaaaaaaaaaaaaaaa",  # forged
        lambda t: "https:--evil.example",  # not a token at all
    ],
)
def test_forged_tokens_get_404_and_no_image(client, make_batch, fmt, mangle):
    batch = make_batch()
    response = client.get(f"/s/{mangle(batch.token)}/qr.{fmt}")
    assert response.status_code == 404
    assert not response.mimetype.startswith("image/")
    assert not response.data.startswith(PNG_MAGIC) and b"<svg" not in response.data


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_validly_signed_token_of_no_share_gets_404(app, client, fmt):
    token = services(app).tokens.share_token(999_999)
    response = client.get(f"/s/{token}/qr.{fmt}")
    assert response.status_code == 404
    assert not response.mimetype.startswith("image/")


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("qr.png?size=127", ["size"]),
        ("qr.png?size=2049", ["size"]),
        ("qr.png?size=big", ["size"]),
        ("qr.png?level=L", ["level"]),
        ("qr.png?level=M&size=5000", ["level", "size"]),
        ("qr.svg?level=low", ["level"]),
    ],
)
def test_options_out_of_range_get_422_problem_details(client, make_batch, path, fields):
    batch = make_batch()
    response = client.get(f"/s/{batch.token}/{path}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 422
    assert [e["field"] for e in response.json["errors"]] == fields


@pytest.mark.parametrize("app_config", [{"BASE_URL": None}], indirect=True)
def test_without_base_url_the_requests_host_is_used_and_a_bad_one_is_a_4xx(client, make_batch):
    batch = make_batch()
    response = client.get(f"/s/{batch.token}/qr.png", base_url="http://qr.test:8080")
    result = decode_one(open_png(response.data))
    assert result.text == f"HTTP://QR.TEST:8080/S/{batch.token.upper()}/Q"
    refused = client.get(f"/s/{batch.token}/qr.png", base_url="http://bad_host.test")
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"


def test_renders_are_rate_limited_per_client_and_cached_images_never(
    app, client, make_batch, query_counter
):
    app.config["RATELIMIT_QR"] = "3/minute"
    batch = make_batch()
    new = [f"/s/{batch.token}/qr.png?size={size}" for size in (300, 301)] + [
        f"/s/{batch.token}/qr.svg"
    ]
    assert [client.get(path).status_code for path in new] == [200, 200, 200]
    limited = client.get(f"/s/{batch.token}/qr.png?size=2048")  # a fourth render
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
    assert not limited.data.startswith(PNG_MAGIC)
    # Images already made, and revalidations, cost nothing: no limit and no query.
    etag = client.get(new[0]).get_etag()[0]
    del query_counter[:]
    again = [client.get(path) for path in new * 3]
    revalidated = client.get(new[0], headers={"If-None-Match": f'"{etag}"'})
    assert [r.status_code for r in again] == [200] * 9 and revalidated.status_code == 304
    assert query_counter == []
    other = client.get(new[-1].replace("svg", "png"), environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 200 and other.data.startswith(PNG_MAGIC)
