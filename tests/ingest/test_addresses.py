"""The address policy refuses every private, special or oddly written address."""

from __future__ import annotations

import pytest

from bot.errors import FetchRefused
from bot.ingest.addresses import check_url, is_forbidden

# RELIABILITY §1.4 S2, as addresses (the hostname cases are exercised in test_fetcher.py).
FORBIDDEN = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 -> 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 -> 127.0.0.1
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
    "2002:a9fe:a9fe::1",  # 6to4 -> 169.254.169.254
    "2002:7f00:1::1",  # 6to4 -> 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "fe80::1",
    "fe80::1%eth0",
    "fd00:ec2::254",
    "fc00::1",
    "169.254.169.254",
    "169.254.0.1",
    "10.1.2.3",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.0.1",
    "100.127.255.254",
    "192.0.0.8",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",  # documentation ranges are never real servers
    "2001:db8::1",
    "not an address",
]

ALLOWED = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "151.101.1.69",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 to a public address is a public address
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_is_forbidden_refuses_special_addresses(address: str) -> None:
    assert is_forbidden(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_is_forbidden_allows_public_addresses(address: str) -> None:
    assert not is_forbidden(address)


REFUSED_URLS = [
    ("http://127.0.0.1/", "private network"),
    ("http://localhost/", "private network"),
    ("http://api.localhost/", "private network"),
    ("http://0.0.0.0/", "private network"),
    ("http://[::1]/", "private network"),
    ("http://[::]/", "private network"),
    ("http://[::ffff:127.0.0.1]/", "private network"),
    ("http://[::ffff:169.254.169.254]/", "private network"),
    ("http://[64:ff9b::a9fe:a9fe]/", "private network"),
    ("http://[2002:a9fe:a9fe::1]/", "private network"),
    ("http://[fe80::1%25eth0]/", "private network"),
    ("http://[fd00:ec2::254]/", "private network"),
    ("http://169.254.169.254/latest/meta-data", "private network"),
    ("http://10.1.2.3/", "private network"),
    ("http://172.16.0.1/", "private network"),
    ("http://192.168.1.1/", "private network"),
    ("http://100.64.0.1/", "private network"),
    ("http://198.18.0.1/", "private network"),
    ("http://224.0.0.1/", "private network"),
    ("http://0x7f.1/", "unusual form"),
    ("http://2130706433/", "unusual form"),
    ("http://127.1/", "unusual form"),
    ("http://0177.0.0.1/", "unusual form"),
    ("http://0x7f000001/", "unusual form"),
    ("file:///etc/passwd", "http:// or https://"),
    ("ftp://example.com/", "http:// or https://"),
    ("gopher://example.com/", "http:// or https://"),
    ("data:text/html,<p>hi</p>", "http:// or https://"),
    ("feed://example.com/rss", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("example.com/news", "http:// or https://"),
    ("http://user:pw@example.com/", "user name or password"),
    ("http://user@example.com/", "user name or password"),
    ("http://example.com:6379/", "port 6379"),
    ("http://example.com:22/", "port 22"),
    ("https://example.com:8443/", "port 8443"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_check_url_refuses_with_a_plain_reason(url: str, reason: str) -> None:
    with pytest.raises(FetchRefused, match=reason):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "https://example.com/news?id=1",
        "https://EXAMPLE.com:443/a",
        "http://93.184.216.34/",
        "http://[2606:4700:4700::1111]/",
        "https://example.com./",
    ],
)
def test_check_url_accepts_public_http_urls(url: str) -> None:
    assert check_url(url).scheme in ("http", "https")


def test_allow_hosts_exempts_exactly_the_listed_host_and_port() -> None:
    allow = ["127.0.0.1:8080", "intranet.example", "[::1]:9000"]
    assert check_url("http://127.0.0.1:8080/feed", allow).port == 8080
    assert check_url("http://[::1]:9000/", allow).port == 9000
    assert check_url("https://intranet.example/", allow).host == "intranet.example"
    with pytest.raises(FetchRefused, match="private network"):
        check_url("http://127.0.0.1:8081/", allow)
    with pytest.raises(FetchRefused, match="private network"):
        check_url("http://10.0.0.1/", allow)


def test_allowed_ports_can_be_widened_without_exempting_private_addresses() -> None:
    ports = frozenset({80, 443, 8080})
    assert check_url("http://example.com:8080/", allowed_ports=ports).port == 8080
    with pytest.raises(FetchRefused, match="private network"):
        check_url("http://127.0.0.1:8080/", allowed_ports=ports)
