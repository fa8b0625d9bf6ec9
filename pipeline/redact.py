"""Masking of secrets (passwords, tokens) in URLs and free text before they are shown."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
# userinfo in any scheme://user:pass@host
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<user>[^/\s:@?#]*)(?::(?P<pw>[^/\s@?#]*))?@")
# query parameters that commonly carry credentials
_SECRET_PARAMS = re.compile(
    r"(?i)([?&](?:token|access_token|auth|key|apikey|api_key|secret|password|pass|pwd|sig|signature)=)[^&\s#]+"
)
# path segments that look like tokens (webhook ids, bot tokens): long runs of letters/digits
_TOKEN = r"(?=[A-Za-z0-9_\-:]*\d)(?=[A-Za-z0-9_\-:]*[A-Za-z])[A-Za-z0-9_\-:]{16,}"
_TOKEN_SEGMENT = re.compile(r"(?<=/)" + _TOKEN)
_TOKEN_HOST = re.compile(_TOKEN)

_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a literal secret (e.g. from a config file) so it is masked wherever it appears."""
    if value and len(value) >= 4:
        _registered.add(value)


def mask_url(url: str) -> str:
    """A URL with its password and token-like parts replaced by ***."""
    return mask_text(url)


def mask_text(text: str) -> str:
    """Any text with URL passwords, token parameters, token path segments and known secrets masked."""
    if not text:
        return text
    out = _USERINFO.sub(
        lambda m: f"{m['scheme']}{m['user']}:{MASK}@" if m["pw"] is not None else m[0], text
    )
    out = _SECRET_PARAMS.sub(lambda m: m[1] + MASK, out)
    out = re.sub(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://\S+", lambda m: _mask_path_tokens(m[0]), out)
    for secret in sorted(_registered, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return out


def _mask_path_tokens(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = _TOKEN_SEGMENT.sub(MASK, parts.path)
    netloc = parts.netloc
    # apprise puts tokens in the host position too (tgram://bottoken/chatid)
    host = netloc.rsplit("@", 1)[-1]
    if _TOKEN_HOST.fullmatch(host):
        netloc = netloc[: len(netloc) - len(host)] + MASK
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


class RedactingFilter(logging.Filter):
    """Logging filter that masks secrets in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            return True
        masked = mask_text(msg)
        if masked != msg:
            record.msg, record.args = masked, None
        return True
