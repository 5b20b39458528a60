"""finder.clients: X-Forwarded-For is believed only from our own proxies; an IPv6 client counts by its /64."""

import pytest
from django.test import RequestFactory

from finder.clients import client_ip, client_key


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_connecting_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@pytest.mark.parametrize(
    "forwarded, client",
    [
        ("198.51.100.1", "198.51.100.1"),
        # A client can write anything on the left; the address our proxy saw is the rightmost untrusted one.
        ("6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Through two of our proxies.
        ("198.51.100.1, 10.0.0.3", "198.51.100.1"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(settings, forwarded, client):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.2", forwarded)) == client


def test_a_request_that_does_not_come_from_a_proxy_cannot_claim_an_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("203.0.113.5", "10.0.0.9, 198.51.100.1")) == "203.0.113.5"


def test_a_garbled_header_from_our_proxy_falls_back_to_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(request("10.0.0.2")) == "10.0.0.2"


@pytest.mark.parametrize(
    "address, key",
    [
        ("203.0.113.5", "203.0.113.5"),
        # Every address a customer's /64 offers is the same client.
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        # A dual-stack socket writes an IPv4 client this way.
        ("::ffff:203.0.113.5", "203.0.113.5"),
    ],
)
def test_limits_count_an_ipv6_client_by_its_network_and_an_ipv4_one_by_its_address(settings, address, key):
    settings.TRUSTED_PROXIES = []
    assert client_key(request(address)) == key


def test_the_key_of_a_forwarded_ipv6_client_is_its_network(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_key(request("10.0.0.2", "2001:db8:7::99")) == "2001:db8:7::/64"


def test_a_proxy_written_as_an_ipv4_mapped_address_is_still_trusted(settings):
    # gunicorn bound to [::] sees an IPv4 proxy as ::ffff:10.0.0.2.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("::ffff:10.0.0.2", "198.51.100.1")) == "198.51.100.1"
