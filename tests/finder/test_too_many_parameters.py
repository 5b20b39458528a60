"""More parameters than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): a 400 in the API's or the site's form."""

import pytest

pytestmark = pytest.mark.django_db

TOO_MANY = "&".join(f"a{n}=1" for n in range(1001))


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize("path", ["/api/v1/meetings/", "/api/v1/types/", "/api/v1/nothing/"])
def test_it_answers_an_api_request_with_too_many_parameters_with_a_json_400(client, debug, path):
    response = client.get(f"{path}?{TOO_MANY}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Too many parameters."}


@pytest.mark.parametrize("path", ["/", "/organizations/"])
def test_it_answers_a_page_with_too_many_parameters_with_the_sites_400_page(client, debug, path):
    response = client.get(f"{path}?{TOO_MANY}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Bad request</h1>" in page and "DATA_UPLOAD_MAX_NUMBER_FIELDS" not in page  # no debug page either
    assert '<a class="brand" href="/">' in page  # a page of the site, with its way back


def test_it_still_reads_a_thousand_parameters_and_names_the_unknown_ones(client):
    query = "&".join(f"a{n}=1" for n in range(1000))
    response = client.get(f"/api/v1/meetings/?{query}")
    assert response.status_code == 400
    assert response.json()["a999"] == ["Unknown parameter."]
