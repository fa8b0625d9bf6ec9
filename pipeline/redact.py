"""Masking of secrets (passwords, tokens) in URLs and free text before they are shown.

Apprise and database URLs carry credentials in many places: the password of the
userinfo (``mailtos://user:PASS@host``), a token as the user (``ntfys://TOKEN@host``),
the host (``tgram://BOTTOKEN/chat``) or path segments (``slack://T1/B2/TOKEN``), query
parameters (``?token=``, ``?password=``) and apprise's header and GET-parameter
prefixes (``?+Authorization=...``, ``?-apikey=...``). Everything else in a URL is kept
byte for byte, so a masked message still says where things went.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>`]+")
# punctuation that ends a sentence or a quotation rather than the URL
_TRAILING = ".,;:!?)]}"
# long runs of letters and digits with both kinds in them: webhook ids, bot and API tokens
_TOKEN = re.compile(r"(?=[A-Za-z0-9_\-:]*\d)(?=[A-Za-z0-9_\-:]*[A-Za-z])[A-Za-z0-9_\-:]{16,}")
_TOKEN_SEGMENT = re.compile(r"(?<![^/])" + _TOKEN.pattern + r"(?![^/])")
# on the web, lowercase slugs with dates ("2024-11-05-panahi-arrested") are no secret:
# there a token segment must mix cases with digits, as Slack and Discord webhook tokens do
_WEB_TOKEN_SEGMENT = re.compile(r"(?<![^/])(?=[^/]*[a-z])(?=[^/]*[A-Z])" + _TOKEN.pattern + r"(?![^/])")
# query parameter names that carry credentials; apprise prefixes headers with "+",
# GET parameters with "-" and payload fields with ":"
_SECRET_NAME = re.compile(
    r"(?i)^[+\-:]?[\w.\-]*(token|auth(?!or\b)|key(?!word)|secret|pass|pwd|sig|credential|session|cookie)[\w.\-]*$"
)
_SECRET_PARAMS = re.compile(
    r"(?i)([?&][+\-:]?[\w.\-]*(?:token|auth(?!or\b)|key(?!word)|secret|pass|pwd|sig|credential|session|cookie)[\w.\-]*=)"
    r"(?!\*\*\*)[^&\s#'\"<>]+"
)
# key=value credentials outside URLs (libpq connection strings, error texts)
_ASSIGNED = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)(?!\*\*\*)([^\s,;'\"&]+)"
)

# Schemes whose path is known to carry no secret: web pages (only token-like segments
# are masked there), mail recipients, database names. Every other scheme (json://,
# xml://, form://, slack://, any apprise plugin) has each path segment masked: webhook
# receivers put their tokens there, short or long.
NO_PATH_SECRET_SCHEMES = frozenset({
    "http", "https", "mailto", "mailtos", "file", "sqlite", "postgresql", "postgresql+psycopg",
    "postgres", "redis", "rediss",
})
# a path segment worth remembering as a secret: letters with digits, or mixed case
_SECRETISH_SEGMENT = re.compile(r"(?=.*\d)(?=.*[A-Za-z]).{6,}|(?=.*[a-z])(?=.*[A-Z]).{6,}")

_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a literal secret (e.g. from a config file) so it is masked wherever it appears."""
    if value and len(value) >= 4:
        _registered.add(value)


def register_url_path(url: str) -> None:
    """Remember the token-like path segments of a configured service URL (a webhook's token)
    so they are masked also where a library prints them without the URL around them."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() in NO_PATH_SECRET_SCHEMES:
        return
    path = rest.split("?", 1)[0].split("#", 1)[0].partition("/")[2]
    for segment in path.split("/"):
        if _SECRETISH_SEGMENT.fullmatch(segment):
            register_secret(segment)


def mask_url(url: str) -> str:
    """A URL with its password and token-like parts replaced by ***."""
    return mask_text(url)


def mask_text(text: str) -> str:
    """Any text with URL passwords, token parameters, token path segments and known secrets masked."""
    if not text:
        return text
    out = _URL.sub(lambda m: _mask_one(m[0]), text)
    out = _SECRET_PARAMS.sub(lambda m: m[1] + MASK, out)
    out = _ASSIGNED.sub(lambda m: m[1] + m[2] + MASK, out)
    for secret in sorted(_registered, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return out


def _mask_one(url: str) -> str:
    core = url.rstrip(_TRAILING)
    tail = url[len(core):]
    scheme, _, rest = core.partition("://")
    web = scheme.lower() in ("http", "https")
    path_secrets = scheme.lower() not in NO_PATH_SECRET_SCHEMES
    rest, hash_, fragment = rest.partition("#")
    rest, qmark, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if at:
        user, colon, _pw = userinfo.partition(":")
        user = MASK if _TOKEN.fullmatch(user) else user
        userinfo = f"{user}:{MASK}" if colon else user
    if not web and _TOKEN.fullmatch(host):
        host = MASK
    if path_secrets:
        path = "/".join(MASK if seg and seg != MASK else seg for seg in path.split("/"))
    else:
        path = (_WEB_TOKEN_SEGMENT if web else _TOKEN_SEGMENT).sub(MASK, path)
    if query:
        query = "&".join(_mask_param(p) for p in query.split("&"))
    return f"{scheme}://{userinfo}{at}{host}{slash}{path}{qmark}{query}{hash_}{fragment}{tail}"


def _mask_param(param: str) -> str:
    name, eq, value = param.partition("=")
    if eq and value and _SECRET_NAME.match(name):
        return f"{name}={MASK}"
    return param


class RedactingFilter(logging.Filter):
    """Logging filter that masks secrets in every record's final message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            return True
        masked = mask_text(msg)
        if masked != msg:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # the traceback's last line repeats the exception message, URLs included
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
