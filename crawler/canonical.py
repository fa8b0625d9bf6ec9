"""URL canonicalisation: one article is one document, whatever link led to it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that only say who shared or which campaign sent the reader.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "ref_url", "referrer",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
    "wt_mc", "at_medium", "at_campaign", "s_cid", "cmpid", "sharesource",
    "spm", "ncid", "xtor", "icid", "trk", "itm_source", "itm_medium", "itm_campaign",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "matomo_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CRAWLABLE = ("http", "https")


class NotCrawlableURL(ValueError):
    """The URL is not an http(s) URL with a host."""


def is_tracking_param(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(_TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """The canonical form of an http(s) URL.

    Lower-case scheme and host, no default port, no fragment, no tracking
    parameters, query sorted, percent-encoding normalised. Raises
    :class:`NotCrawlableURL` for other schemes or a missing host.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise NotCrawlableURL(f"invalid URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _CRAWLABLE or not parts.hostname:
        raise NotCrawlableURL(f"not an http(s) URL with a host: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    )
    path = parts.path or "/"
    # userinfo is dropped on purpose: crawl URLs never carry credentials
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")), keep_fragments=False)


def safe_canonicalize(url: str) -> str | None:
    """:func:`canonicalize`, or ``None`` when the URL cannot be crawled."""
    try:
        return canonicalize(url)
    except NotCrawlableURL:
        return None


def host_of(url: str) -> str:
    """Lower-case host name of a URL (empty when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def host_allowed(host: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)
