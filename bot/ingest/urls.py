"""Canonical article URLs, so one story shared through many links is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from bot.errors import InvalidInput

# Parameters that only say how the reader arrived, never which article it is.
_TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "smid",
        "smtyp",
        "s_cid",
        "_ga",
        "_gl",
        "xtor",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "__twitter_impression",
        "amp",
    }
)
_TRACKING_PREFIXES = ("utm_", "ns_", "pk_", "mtm_", "hsa_")
_AMP_VALUES = {"outputtype": "amp", "output": "amp"}
# Host prefixes that serve the same article in another layout.
_ALIAS_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_SUFFIX = re.compile(r"\.amp(?:\.html?)?$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """Return the canonical form of an http(s) URL; raise InvalidInput for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise InvalidInput("that is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidInput("that URL must start with http:// or https://")
    host = _canonical_host(parts.hostname)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit(
        (scheme, netloc, _canonical_path(parts.path), _canonical_query(parts.query), "")
    )


def _canonical_host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    # Strip alias prefixes repeatedly (www.m.example.com), but never down to a bare
    # top-level domain: amp.dev stays amp.dev.
    changed = True
    while changed:
        changed = False
        for prefix in _ALIAS_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host = rest
                changed = True
    return host


def _canonical_path(path: str) -> str:
    segments = [s for s in path.split("/") if s.lower() != "amp"]
    if segments and segments[-1]:
        segments[-1] = _AMP_SUFFIX.sub("", segments[-1]) or segments[-1]
    cleaned = "/".join(segments)
    cleaned = re.sub(r"/{2,}", "/", cleaned).rstrip("/")
    if not cleaned.startswith("/"):
        cleaned = "/" + cleaned
    return quote(cleaned, safe="/%:@!$&'()*+,;=-._~")


def _canonical_query(query: str) -> str:
    kept: list[tuple[str, str]] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        lowered = key.lower()
        if lowered in _TRACKING_KEYS or lowered.startswith(_TRACKING_PREFIXES):
            continue
        if _AMP_VALUES.get(lowered) == value.lower():
            continue
        kept.append((key, value))
    kept.sort()
    return urlencode(kept, quote_via=quote)
