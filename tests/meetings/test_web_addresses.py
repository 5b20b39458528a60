"""Reading one web address from a feed: what is stored in a URL field, and what the curator is told."""

import pytest

from meetings.web_addresses import WebAddress, read_web_address

LENGTH = 500


def test_it_keeps_an_https_link_as_given():
    assert read_web_address("https://zoom.us/j/123456789?pwd=AbC", LENGTH) == WebAddress(
        "https://zoom.us/j/123456789?pwd=AbC"
    )


def test_it_keeps_an_http_link_as_given():
    assert read_web_address("http://example.org/meeting", LENGTH) == WebAddress("http://example.org/meeting")


def test_it_keeps_a_scheme_in_capitals_as_given():
    assert read_web_address("HTTPS://Zoom.us/j/1", LENGTH) == WebAddress("HTTPS://Zoom.us/j/1")


def test_it_strips_surrounding_whitespace():
    assert read_web_address("  https://zoom.us/j/1 \n", LENGTH).value == "https://zoom.us/j/1"


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_blank_value_stays_blank_without_a_problem(text):
    assert read_web_address(text, LENGTH) == WebAddress("")


def test_it_adds_https_to_a_zoom_link_without_a_scheme():
    assert read_web_address("zoom.us/j/123456789", LENGTH) == WebAddress(
        "https://zoom.us/j/123456789", added_https=True
    )


@pytest.mark.parametrize(
    "text", ["us02web.zoom.us/j/8?pwd=x", "meet.google.com/abc-defg-hij", "www.example.org/meeting", "www.x.org"]
)
def test_it_adds_https_to_other_host_names_without_a_scheme(text):
    assert read_web_address(text, LENGTH) == WebAddress("https://" + text, added_https=True)


def test_it_adds_https_to_a_host_with_a_port():
    assert read_web_address("zoom.us:443/j/1", LENGTH).value == "https://zoom.us:443/j/1"


def test_it_adds_https_to_a_scheme_relative_link():
    assert read_web_address("//zoom.us/j/1", LENGTH) == WebAddress("https://zoom.us/j/1", added_https=True)


def test_it_refuses_a_javascript_link():
    assert read_web_address("javascript:alert(1)", LENGTH) == WebAddress("", "is not a web address")


@pytest.mark.parametrize(
    "text",
    [
        "zoommtg://zoom.us/join?confno=123",
        "ftp://example.org/file",
        "mailto:group@example.org",
        "tel:+15550100",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_it_refuses_other_schemes(text):
    assert read_web_address(text, LENGTH) == WebAddress("", "is not a web address")


@pytest.mark.parametrize("text", ["Zoom ID 123 456 7890", "see website", "zoom.us/j/1 passcode 1234", "TBA"])
def test_it_refuses_text_that_is_not_an_address(text):
    assert read_web_address(text, LENGTH) == WebAddress("", "is not a web address")


def test_it_refuses_an_email_address_rather_than_linking_its_domain():
    assert read_web_address("group@example.org", LENGTH) == WebAddress("", "is not a web address")


@pytest.mark.parametrize("text", ["https://", "https://not a host/", "http://localhost:99999999/"])
def test_it_refuses_an_invalid_url_even_with_a_web_scheme(text):
    assert read_web_address(text, LENGTH).problem == "is not a web address"


def test_it_refuses_an_address_longer_than_the_field():
    long = "https://example.org/" + "a" * (LENGTH - len("https://example.org/") + 1)
    assert read_web_address(long, LENGTH) == WebAddress("", "is longer than the 500 characters a link can have")


def test_an_address_that_fills_the_field_exactly_is_kept():
    exact = "https://example.org/" + "a" * (LENGTH - len("https://example.org/"))
    assert read_web_address(exact, LENGTH).value == exact


def test_the_added_https_counts_towards_the_length():
    text = "example.org/" + "a" * (LENGTH - len("example.org/"))
    assert read_web_address(text, LENGTH).problem.startswith("is longer than")


@pytest.mark.parametrize("text", ["https://zoom.us@evil.example/j/1", "http://user:pass@example.org/"])
def test_it_refuses_an_address_that_hides_its_host_behind_a_name_and_an_at(text):
    read = read_web_address(text, 500)
    assert read.value == "" and "@" in read.problem
