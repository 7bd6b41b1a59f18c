"""GET /leaflets/<id>/print: the print sheet, laid out as A4 and Letter by a real print engine."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pypdfium2
import pytest
import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from sharetrack.services import services
from tests.leaflets.conftest import decode

MM_PER_INCH = 25.4
RENDER_DPI = 200
MIN_CODE_MM = 25


def print_url(app, batch) -> str:
    key = services(app).tokens.print_key(batch.id)
    return f"/leaflets/{batch.id}/print?key={key}"


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_sheet_shows_title_label_code_and_the_link_spelled_out(app, client, make_batch):
    batch = make_batch(label="Notting Hill, 24 Aug")
    response = client.get(print_url(app, batch))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert batch.campaign.title in page
    assert "Notting Hill, 24 Aug" in page
    assert f"st.example/s/{batch.token}" in page.replace("<wbr>", "")
    # The printed address may break only after a "/", never inside the token.
    [spelled] = set(re.findall(r'<p class="url">(.*?)</p>', page))
    assert all(part.endswith("/") for part in spelled.split("<wbr>")[:-1])
    assert spelled.count("<wbr>") == spelled.count("/")

    tags = Tags()
    tags.feed(page)
    codes = [attrs for tag, attrs in tags.tags if tag == "img"]
    assert codes and all(a["src"] == f"/s/{batch.token}/qr.svg" for a in codes)
    assert all(a.get("alt") for a in codes)


def test_sheet_is_ready_for_a_self_only_csp(app, client, make_batch):
    batch = make_batch(label='<script>alert("x")</script>')
    page = client.get(print_url(app, batch)).get_data(as_text=True)
    tags = Tags()
    tags.feed(page)
    assert not [t for t, _ in tags.tags if t in ("style", "script")]
    assert not [t for t, a in tags.tags if "style" in a or any(k.startswith("on") for k in a)]
    for _tag, attrs in tags.tags:
        for name in ("src", "href"):
            if name in attrs:
                assert urlsplit(attrs[name]).netloc == "", f"{attrs[name]} leaves this origin"
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "mangle",
    [
        lambda path: path.split("?")[0],  # no key
        lambda path: path[:-2] + ("AA" if not path.endswith("AA") else "BB"),  # altered key
        lambda path: re.sub(r"/leaflets/\d+/", "/leaflets/999/", path),  # another batch's key
        lambda path: path + "x" * 200,  # absurd key
    ],
)
def test_sheet_needs_its_own_signed_key(app, client, make_batch, mangle):
    batch = make_batch()
    assert client.get(mangle(print_url(app, batch))).status_code == 404


def test_unknown_batch_with_a_valid_key_is_404(app, client):
    key = services(app).tokens.print_key(12345)
    assert client.get(f"/leaflets/12345/print?key={key}").status_code == 404
    assert client.get("/leaflets/99999999999999999999999/print?key=x").status_code == 404


class AppFetcher(URLFetcher):
    """Fetches the sheet's resources from the app itself; anything else fails the render."""

    def __init__(self, client):
        super().__init__(fail_on_errors=True)
        self.client = client

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        assert parts.netloc == "st.example", f"the sheet asked another origin: {url}"
        with self.client.get(parts.path, query_string=parts.query) as response:
            assert response.status_code == 200, url
            return URLFetcherResponse(url, response.data, {"Content-Type": response.content_type})


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_sheet_prints_on_one_page_with_every_code_scannable_and_25_mm_or_more(
    app, client, make_batch, paper, tmp_path
):
    batch = make_batch()
    url = "https://st.example" + print_url(app, batch)
    html = client.get(url).get_data(as_text=True)
    document = weasyprint.HTML(string=html, base_url=url, url_fetcher=AppFetcher(client))
    pdf = tmp_path / "sheet.pdf"
    document.write_pdf(pdf, stylesheets=[weasyprint.CSS(string=f"@page {{ size: {paper} }}")])

    pages = pypdfium2.PdfDocument(pdf)
    assert len(pages) == 1, f"the sheet spills onto {len(pages)} {paper} pages"
    image = pages[0].render(scale=RENDER_DPI / 72).to_pil()
    codes = decode(image)
    assert len(codes) == 8
    assert {c.text for c in codes} == {f"HTTPS://ST.EXAMPLE/S/{batch.token.upper()}/Q"}
    px_per_mm = RENDER_DPI / MM_PER_INCH
    for code in codes:
        corners = code.position
        width_mm = (corners.top_right.x - corners.top_left.x) / px_per_mm
        assert width_mm >= MIN_CODE_MM, f"a code is only {width_mm:.1f} mm wide"
    pages.close()


def test_slips_do_not_print_the_internal_batch_label(app, client, make_batch):
    batch = make_batch(label="Staff-only batch name")
    page = client.get(print_url(app, batch)).get_data(as_text=True)
    slips = page.split('<div class="sheet">', 1)[1]
    assert '<article class="slip">' in slips and "Staff-only batch name" not in slips
    assert "Staff-only batch name" in page.split('<div class="sheet">', 1)[0]  # the cover only
