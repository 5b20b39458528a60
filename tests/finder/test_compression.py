"""Pages, API answers and feeds travel compressed to browsers that accept it (phones on slow networks)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/organizations/", "/api/v1/types/"])
def test_a_browser_that_accepts_gzip_gets_it(client, directory, url):
    plain = client.get(url)
    packed = client.get(url, headers={"accept-encoding": "gzip, br"})
    assert packed.status_code == plain.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    assert gzip.decompress(packed.content).decode().startswith(plain.content.decode()[:50])


def test_a_client_that_does_not_ask_gets_it_plain(client, directory):
    response = client.get("/organizations/")
    assert not response.has_header("Content-Encoding")
