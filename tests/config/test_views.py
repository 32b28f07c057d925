"""The favicon: linked from every page, and answered at /favicon.ico for the pages that do not link it."""

import struct
from pathlib import Path

import pytest
from lxml import etree

STATIC = Path(__file__).resolve().parents[2] / "static"

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content).startswith(b"\x00\x00\x01\x00")


def test_favicon_ico_answers_head_and_refuses_writes(client):
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize("url", ["/", "/claims/", "/sources/", "/sets/"])
def test_public_pages_link_the_icons(client, url):
    page = client.get(url).content.decode()

    assert '<link rel="icon" href="/static/favicon.ico" sizes="16x16 32x32 48x48">' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert client.get("/static/favicon.svg")["Content-Type"].startswith("image/svg+xml")


def test_the_icon_files_are_an_svg_and_an_ico_of_three_sizes():
    svg = etree.parse(str(STATIC / "favicon.svg")).getroot()
    ico = (STATIC / "favicon.ico").read_bytes()

    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 32 32"
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, 3)
    sizes = [struct.unpack_from("<BB", ico, 6 + 16 * index) for index in range(count)]
    assert sizes == [(16, 16), (32, 32), (48, 48)]
