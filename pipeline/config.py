"""The config file (``--config``/``ATRISK_CONFIG``): every key optional, env vars override."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from extract import event_types
from pipeline.redact import register_secret, register_url_path

# both from the one event-type registry (extract/lexicon/event_types.toml)
DEFAULT_ALERT_EVENTS = event_types.default_alert_types()
EVENT_TYPES = event_types.names()


class ConfigError(ValueError):
    """The config file is invalid; the message names the file, the section and the key."""


@dataclass(frozen=True)
class Route:
    urls: tuple[str, ...]
    name: str = "route"
    tags: tuple[str, ...] = ()
    events: tuple[str, ...] | None = None  # None: the [alerts] events
    scope: str | None = None
    confidential: bool = False  # also receives alerts about people flagged confidential


@dataclass(frozen=True)
class AlertsConfig:
    urls: tuple[str, ...] = ()
    events: tuple[str, ...] = DEFAULT_ALERT_EVENTS
    scope: str = "everyone"  # or "watchlist"
    new_only: bool = True
    max_age_days: int = 14
    new_window_days: int = 30
    routes: tuple[Route, ...] = ()
    feed: str = "data/alerts.xml"
    max_attempts: int = 10
    retry_base_seconds: int = 60
    # seconds a receiver may take to connect and to answer; apprise's own default of 4 s
    # made slow receivers get the same alert again on every retry
    timeout: int = 30
    corroborated: bool = False  # one follow-up when an incident reaches two independent sources
    languages: tuple[str, ...] = ()  # languages whose events alert; empty: all
    review: str = "none"  # or "first": alerts wait until an analyst confirms the event


@dataclass(frozen=True)
class IncidentsConfig:
    window_days: int = 30  # undated reports of a current event join an incident this recent
    day_tolerance_days: int = 3  # two day-precise dates this close are the same event


@dataclass(frozen=True)
class DigestConfig:
    urls: tuple[str, ...] = ()
    at: str = "07:00"
    timezone: str = "UTC"
    dir: str = "data/digests"


@dataclass(frozen=True)
class OperatorConfig:
    urls: tuple[str, ...] = ()
    fail_after: int = 3  # failed passes in a row before a notice
    stale_days: int = 14  # days without a new document before a notice


@dataclass(frozen=True)
class CrawlConfig:
    # Sites see this; operators should give a contact URL or address of their own.
    contact: str = ""
    user_agent: str = ""  # full override; empty: built from `contact`
    every: str = "1h"
    concurrency_per_domain: int = 2
    download_delay: float = 1.0
    autothrottle: bool = True
    timeout: int = 30
    retries: int = 2
    max_page_bytes: int = 10 * 1024 * 1024
    max_pages: int = 2000  # per source and pass
    max_depth: int = 3
    obey_robots: bool = True
    # the whole crawl of one pass ends after this many seconds (what is left waits for
    # the next pass); 0: no deadline
    max_seconds: int = 3000

    @property
    def user_agent_string(self) -> str:
        if self.user_agent:
            return self.user_agent
        contact = self.contact or "operator contact not configured"
        return f"atrisk/0.1 (monitor of statements on artists at risk; +{contact})"


# With model processes the pass's own process applies the rules, writes and reads the
# other languages: about one model process's CPU (181 bench pages: 22 s against 21 s each
# for two), so a third model process would wait on it.
AUTO_MAX_PROCESSES = 2


@dataclass(frozen=True)
class AnalysisConfig:
    batch_size: int = 64
    # model processes: a number, or "auto" (see processes())
    n_process: int | str = "auto"
    # Languages analysed; empty: every language with a model (en, fr) or a trigger lexicon.
    languages: tuple[str, ...] = ()
    # longer texts are analysed up to here (cut at a paragraph or sentence end) with a
    # note on the document; at most the model's own limit of 1,000,000 characters
    max_text_chars: int = 100_000
    # failed analyses of one text before the document is parked until its text changes
    max_attempts: int = 3

    def processes(self) -> int:
        """Model processes to run: ``n_process``, or with "auto" one per usable core, at
        most AUTO_MAX_PROCESSES (each holds its own model, ~300 MB).

        Two on two cores: 181 bench pages in 42.6 s instead of 55.0 s on a quiet machine
        (same CPU in all); 2,000 documents peaked at 1,869 MB (benchmarks/README.md)."""
        if isinstance(self.n_process, int):
            return self.n_process
        return max(1, min(AUTO_MAX_PROCESSES, usable_cores()))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity on Linux)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class StorageConfig:
    retain_text_days: int | None = None  # None: keep page text forever


@dataclass(frozen=True)
class ScaleConfig:
    redis_url: str = ""  # crawl workers' shared frontier; ATRISK_REDIS_URL overrides
    frontier: str = "atrisk"  # Redis key prefix: one frontier per deployment


@dataclass(frozen=True)
class WebConfig:
    base_url: str = ""  # public address of the workbench, for links in alerts, digests, feeds
    host: str = "127.0.0.1"
    port: int = 8765
    session_hours: int = 12


@dataclass(frozen=True)
class Config:
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    operator: OperatorConfig = field(default_factory=OperatorConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    scale: ScaleConfig = field(default_factory=ScaleConfig)
    incidents: IncidentsConfig = field(default_factory=IncidentsConfig)
    web: WebConfig = field(default_factory=WebConfig)
    path: str | None = None


_SECTIONS: dict[str, type] = {
    "alerts": AlertsConfig,
    "digest": DigestConfig,
    "operator": OperatorConfig,
    "crawl": CrawlConfig,
    "analysis": AnalysisConfig,
    "storage": StorageConfig,
    "scale": ScaleConfig,
    "incidents": IncidentsConfig,
    "web": WebConfig,
}


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: must be true or false")
        return value
    if isinstance(default, int) or (default is None and isinstance(value, int)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: must be a non-negative integer")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where}: must be a non-negative number")
        return float(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: must be a list of strings")
        return tuple(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{where}: must be a string")
        return value
    return value


def _section(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a table")
    names = {f.name: f for f in fields(cls)}
    allowed = set(names) - ({"routes"} if cls is not AlertsConfig else set())
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    kwargs: dict[str, Any] = {}
    defaults = cls()
    for key, value in data.items():
        if key == "routes":
            rows = _list(value, f"{where}.routes")
            kwargs[key] = tuple(_route(r, f"{where}.routes[{i + 1}]") for i, r in enumerate(rows))
            continue
        if cls is AnalysisConfig and key == "n_process":
            kwargs[key] = _n_process(value, f"{where}.{key}")
            continue
        kwargs[key] = _coerce(value, getattr(defaults, key), f"{where}.{key}")
    return cls(**kwargs)


def _n_process(value: Any, where: str) -> int | str:
    if value == "auto" or isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ConfigError(f'{where}: must be "auto" or a whole number of at least 1, not {value!r}')


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: must be an array of tables ([[...]])")
    return value


def _route(data: Any, where: str) -> Route:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(data) - {"urls", "name", "tags", "events", "scope", "confidential"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}")
    if "urls" not in data:
        raise ConfigError(f"{where}: field 'urls' is required")
    urls = _coerce(data["urls"], (), f"{where}.urls")
    tags = _coerce(data.get("tags", []), (), f"{where}.tags")
    events = _coerce(data["events"], (), f"{where}.events") if "events" in data else None
    if events:
        _check_events(events, f"{where}.events")
    scope = data.get("scope")
    if scope is not None and scope not in ("everyone", "watchlist"):
        raise ConfigError(f"{where}.scope: must be 'everyone' or 'watchlist'")
    name = _coerce(data.get("name", "route"), "", f"{where}.name")
    confidential = _coerce(data.get("confidential", False), False, f"{where}.confidential")
    return Route(urls=urls, name=name, tags=tags, events=events, scope=scope, confidential=confidential)


def _check_events(events: tuple[str, ...], where: str) -> None:
    bad = [e for e in events if e not in EVENT_TYPES]
    if bad:
        raise ConfigError(f"{where}: unknown event type(s) {bad}; known: {', '.join(EVENT_TYPES)}")


def _env(name: str) -> str | None:
    """An environment variable's value; empty or blank means not set (DESIGN: "where given
    and not empty"), so an exported but empty variable never replaces configured values."""
    val = os.environ.get(name)
    return val if val is not None and val.strip() else None


def _env_urls(name: str) -> tuple[str, ...] | None:
    val = _env(name)
    return tuple(val.split()) if val is not None else None


def parse_config(data: dict, origin: str = "<config>") -> Config:
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"{origin}: unknown section(s) {unknown}; allowed: {sorted(_SECTIONS)}")
    parts = {
        name: _section(cls, data.get(name, {}), f"{origin}: [{name}]") for name, cls in _SECTIONS.items()
    }
    alerts: AlertsConfig = parts["alerts"]
    _check_events(alerts.events, f"{origin}: [alerts].events")
    if alerts.scope not in ("everyone", "watchlist"):
        raise ConfigError(f"{origin}: [alerts].scope: must be 'everyone' or 'watchlist'")
    analysis: AnalysisConfig = parts["analysis"]
    if not 1000 <= analysis.max_text_chars <= 1_000_000:
        raise ConfigError(f"{origin}: [analysis].max_text_chars: must be between 1000 and 1000000 "
                          "(the model's limit)")
    if analysis.max_attempts < 1:
        raise ConfigError(f"{origin}: [analysis].max_attempts: must be at least 1")
    if alerts.review not in ("none", "first"):
        raise ConfigError(f"{origin}: [alerts].review: must be 'none' or 'first'")
    return Config(**parts, path=origin)


def load_config(path: str | Path | None = None) -> Config:
    """Read the config file (if any) and apply environment overrides."""
    p = path or os.environ.get("ATRISK_CONFIG")
    if p:
        try:
            data = tomllib.loads(Path(p).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{p}: file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML: {exc}") from None
        cfg = parse_config(data, str(p))
    else:
        cfg = Config()
    for c in (cfg, cfg := _apply_env(cfg)):
        for url in (*c.alerts.urls, *c.digest.urls, *c.operator.urls,
                    *(u for r in c.alerts.routes for u in r.urls), c.scale.redis_url):
            if url:
                _register_url_secrets(url)
    _check_notification_urls(cfg, str(p) if p else "<environment>")
    return cfg


def _check_notification_urls(cfg: Config, origin: str) -> None:
    """Every alert, digest and operator URL must be one apprise can send to."""
    places: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("[alerts].urls", "ATRISK_ALERT_URLS", cfg.alerts.urls),
        ("[digest].urls", "ATRISK_DIGEST_URLS", cfg.digest.urls),
        ("[operator].urls", "ATRISK_OPERATOR_URLS", cfg.operator.urls),
    ]
    places += [(f"[[alerts.routes]] {i + 1} ({r.name}).urls", None, r.urls)
               for i, r in enumerate(cfg.alerts.routes)]
    if not any(urls for _, _, urls in places):
        return
    import apprise

    from pipeline.redact import mask_url

    for field_name, env, urls in places:
        for url in urls:
            if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
                where = f"{origin} or {env}" if env and _env(env) is not None else origin
                raise ConfigError(
                    f"{where}: {field_name}: {mask_url(url)!r} is not a notification URL apprise "
                    "can use (e.g. mailtos://user:pass@smtp.example.org?to=a@example.org, "
                    "json://host:port/path)"
                )


def _apply_env(cfg: Config) -> Config:
    from dataclasses import replace

    if (urls := _env_urls("ATRISK_ALERT_URLS")) is not None:
        cfg = replace(cfg, alerts=replace(cfg.alerts, urls=urls))
    if (urls := _env_urls("ATRISK_DIGEST_URLS")) is not None:
        cfg = replace(cfg, digest=replace(cfg.digest, urls=urls))
    if (urls := _env_urls("ATRISK_OPERATOR_URLS")) is not None:
        cfg = replace(cfg, operator=replace(cfg.operator, urls=urls))
    if (redis_url := _env("ATRISK_REDIS_URL")) is not None:
        cfg = replace(cfg, scale=replace(cfg.scale, redis_url=redis_url))
    return cfg


def _register_url_secrets(url: str) -> None:
    """Passwords and tokens in configured URLs are masked wherever they are printed."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(url)
        register_secret(parts.password)
        register_url_path(url)
        for key, value in parse_qsl(parts.query):
            if key.lower() in {"token", "pass", "password", "key", "apikey", "secret", "access_token"}:
                register_secret(value)
    except ValueError:
        return
