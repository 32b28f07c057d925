"""The lists' "Per page" control is a small select; a size a link carries stays chosen."""

import re

import pytest

pytestmark = pytest.mark.django_db


def options(page):
    select = re.search(r'<select name="page_size" id="id_page_size">(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="(\d*)"( selected)?>(\d+)</option>', select)


@pytest.mark.parametrize("url", ["/claims/", "/sources/"])
def test_per_page_is_a_select_of_the_usual_sizes_with_the_default_chosen(client, url):
    assert options(client.get(url).content.decode()) == [
        ("10", "", "10"),
        ("", " selected", "20"),
        ("50", "", "50"),
        ("100", "", "100"),
    ]


def test_a_size_from_a_link_is_kept_as_the_chosen_option(client):
    chosen = [value for value, selected, _ in options(client.get("/claims/?page_size=3").content.decode()) if selected]

    assert chosen == ["3"]
    assert client.get("/claims/?page_size=101").status_code == 400
