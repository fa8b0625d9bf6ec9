"""Passwords and tokens in alert, digest and database URLs never reach logs, errors or outputs.

A full `atrisk run` over the demo site delivers alerts to a real local webhook (with
basic-auth password and a token), fails on a mail server that refuses the login and on a
closed port, and sends the digest; then every log line, output, export, the status report
and every value stored in the database are searched for the secrets.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from crawler.localsite import LocalSite, fill_placeholders
from pipeline.app import App
from pipeline.config import load_config
from pipeline.delivery import alerts
from pipeline.redact import MASK, RedactingFilter, mask_text
from pipeline.reports.status import render_status, status
from tests.pg import dump_rows, query_rows
from tests.servers import SMTPReceiver, WebhookReceiver, free_port

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo_site"

HOOK_PW = "HookPw-7f3a9c"
HOOK_TOKEN = "HookTok9x8y7z6w"
MAIL_PW = "MailPw-51ab2c"
SLACKISH = "Zx9SecretWebhookToken123"
DIGEST_TOKEN = "DigestTok4q5r6s"
DB_PW = "SECRETPW"
OWN_LOGGERS = {"atrisk", "cli", "crawler", "extract", "pipeline", "scheduler"}
SECRETS = (HOOK_PW, HOOK_TOKEN, MAIL_PW, SLACKISH, DIGEST_TOKEN)


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """The CLI configures the root logger for its process; put the test session's back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def assert_clean(text: str, where: str) -> None:
    for secret in (*SECRETS, DB_PW):
        assert secret not in text, f"{secret!r} appears in {where}"


# --- the masking itself ------------------------------------------------------------------

@pytest.mark.parametrize(("url", "secret", "kept"), [
    ("mailtos://user:Pa55word-x@smtp.example.org?to=desk@example.org", "Pa55word-x", "smtp.example.org"),
    ("mailto://desk:hunter2hunter2@127.0.0.1:2525", "hunter2hunter2", "127.0.0.1:2525"),
    ("json://hook.example.org/path?token=TOKEN123abc", "TOKEN123abc", "hook.example.org/"),
    ("jsons://hook.example.org/p?foo=1&access_token=abcDEF123&x=2", "abcDEF123", "foo=1"),
    ("json://hook.example.org/p?apikey=K3yK3yK3y", "K3yK3yK3y", "hook.example.org"),
    ("json://hook.example.org/p?+Authorization=Bearer%20eyJhbGciOi123", "eyJhbGciOi123", "hook.example.org"),
    ("json://hook.example.org/p?+X-Api-Key=XapiKey998877", "XapiKey998877", "hook.example.org"),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", "TIiajkdnlazkcOXrIdevi7FQ", "slack://"),
    ("https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
     "TIiajkdnlazkcOXrIdevi7FQ", "hooks.slack.com"),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
     "tgram://"),
    ("https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
     "JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord.com/api/webhooks"),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord://"),
    ("matrixs://bot:M4trixPass@matrix.example.org/#alerts", "M4trixPass", "matrix.example.org"),
    ("ntfys://tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2@ntfy.example.org/alerts", "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2",
     "ntfy.example.org/"),
    ("pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi",
     "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "pover://"),
    ("postgresql+psycopg://atrisk:S3cr3t-pw@db.example.org:5432/atrisk", "S3cr3t-pw",
     "db.example.org:5432/atrisk"),
    ("postgresql://atrisk:p%40ss%2Fword@db.example.org/atrisk", "p%40ss%2Fword", "db.example.org/atrisk"),
    ("postgresql://db.example.org/atrisk?user=a&password=QueryPw12", "QueryPw12", "db.example.org/atrisk"),
    ("redis://:R3disPass@127.0.0.1:6379/0", "R3disPass", "127.0.0.1:6379/0"),
])
def test_mask_text_hides_the_secret_and_keeps_the_place(url: str, secret: str, kept: str) -> None:
    for text in (url, f"delivery to {url} failed.", f"error: '{url}', retrying", f"<{url}>"):
        masked = mask_text(text)
        assert secret not in masked, masked
        assert kept in masked, masked
        assert MASK in masked


def test_mask_text_outside_urls_and_around_punctuation() -> None:
    assert mask_text("host=db password=Hunter22 user=x") == "host=db password=*** user=x"
    assert mask_text("see https://x.org/a?token=abc123.") == "see https://x.org/a?token=***."
    assert mask_text("(json://u:Pw99@h/p)") == "(json://u:***@h/***)"


def test_mask_text_leaves_plain_text_and_public_urls_alone() -> None:
    for text in ("Jafar Panahi was arrested on 11 July 2022.",
                 "https://www.hrw.org/news/2024/01/05/iran-filmmaker-detained",
                 "sqlite:///data/atrisk.db",
                 "mailto://desk@example.org", "https://site.org/search?keyword=iran&author=5",
                 "http://127.0.0.1:8000/private/secret.html",
                 "https://ngo.example.org/news/2024-11-05-jafar-panahi-arrested-again",
                 "https://ngo.example.org/statements/a1b2c3d4e5f6a7b8c9d0e1f2/"):
        assert mask_text(text) == text


def test_redacting_filter_masks_arguments_and_exceptions_text() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "sending to %s: %s", (
        "json://u:Pw12345678@h/p", "refused by mailto://a:OtherPw999@h"), None)
    RedactingFilter().filter(record)
    msg = record.getMessage()
    assert "Pw12345678" not in msg and "OtherPw999" not in msg


# --- the database URL ------------------------------------------------------------------

@pytest.mark.parametrize("args", [["init"], ["run", "--no-crawl"], ["export"], ["alerts"],
                                  ["digest", "--format", "json"]])
def test_unreachable_postgres_password_is_not_printed(keep_logging: None, tmp_path: Path,
                                                       args: list[str]) -> None:
    url = f"postgresql+psycopg://u:{DB_PW}@127.0.0.1:{free_port()}/x"
    res = CliRunner().invoke(main, ["-vv", "--log-file", str(tmp_path / "log"), "--db", url, *args],
                             env={"ATRISK_DB": None})
    assert res.exit_code == 1, res.output
    assert "127.0.0.1" in res.output  # the message still says which database
    assert_clean(res.output, f"output of {args}")
    assert_clean((tmp_path / "log").read_text("utf-8"), f"log file of {args}")


def test_unreachable_postgres_from_env_in_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "ATRISK_DB": f"postgresql+psycopg://u:{DB_PW}@127.0.0.1:{free_port()}/x"}
    proc = subprocess.run([sys.executable, "-m", "cli", "-vv", "init"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Error:" in proc.stderr
    assert_clean(proc.stdout + proc.stderr, "init output")


# --- a full pass -----------------------------------------------------------------------

@pytest.fixture
def receivers() -> Iterator[tuple[WebhookReceiver, SMTPReceiver]]:
    hook, smtp = WebhookReceiver().start(), SMTPReceiver().start()
    yield hook, smtp
    hook.stop()
    smtp.stop()


def _setup(tmp_path: Path, site: LocalSite, hook: WebhookReceiver, smtp: SMTPReceiver,
           db_url: str) -> dict[str, str]:
    sources = tmp_path / "sources.toml"
    sources.write_text(fill_placeholders((DEMO / "sources.toml").read_text("utf-8"), site.base), "utf-8")
    mail = (f"mailto://atrisk:{MAIL_PW}@127.0.0.1:{smtp.port}"
            "?from=atrisk@example.org&to=desk@example.org&mode=insecure")
    closed = f"json://127.0.0.1:{free_port()}/services/T0ABCDEF1/B0ABCDEF2/{SLACKISH}"
    config = tmp_path / "config.toml"
    config.write_text(f"""
[crawl]
download_delay = 0.0
autothrottle = false
retries = 0
[alerts]
feed = "{(tmp_path / 'alerts.xml').as_posix()}"
max_attempts = 3
[[alerts.routes]]
name = "desk"
urls = ["{mail}", "{closed}"]
[digest]
at = "00:00"
dir = "{(tmp_path / 'digests').as_posix()}"
""", "utf-8")
    return {
        **os.environ,
        "ATRISK_DB": db_url,
        "ATRISK_SOURCES": str(sources),
        "ATRISK_CONFIG": str(config),
        "ATRISK_ALERT_URLS": f"json://hook:{HOOK_PW}@127.0.0.1:{hook.port}/hook?-token={HOOK_TOKEN}",
        "ATRISK_DIGEST_URLS": f"json://127.0.0.1:{hook.port}/digest?-token={DIGEST_TOKEN}",
        "ATRISK_WATCHLIST": str(ROOT / "watchlist.toml"),
    }


def _atrisk(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=240)


def test_full_pass_never_shows_a_secret(tmp_path: Path, db_url: str,
                                        receivers: tuple[WebhookReceiver, SMTPReceiver]) -> None:
    hook, smtp = receivers
    log_file = tmp_path / "atrisk.log"
    with LocalSite(DEMO) as site:
        env = _setup(tmp_path, site, hook, smtp, db_url)
        run = _atrisk(env, tmp_path, "-vv", "--log-file", str(log_file), "run")
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["alerts_sent"] > 0 and summary["alerts_failed"] > 0, summary
    assert " DEBUG " in run.stderr  # the most talkative level was on
    assert_clean(run.stdout, "`atrisk run` stdout")
    assert_clean(run.stderr, "`atrisk run` log on stderr")
    log_text = log_file.read_text("utf-8")
    assert "failed" in log_text
    assert_clean(log_text, "the --log-file")

    # deliveries really happened, with the password and token where they belong
    deliveries = [p for p in hook.posts if p["path"].startswith("/hook")]
    assert deliveries and all(HOOK_TOKEN in p["path"] for p in deliveries)
    assert any(p["path"].startswith("/digest") for p in hook.posts)

    # a later `alerts` retries the failing channels and says why they fail
    later = _atrisk(env, tmp_path, "-vv", "alerts")
    assert later.returncode == 0, later.stderr[-3000:]
    assert json.loads(later.stdout)["pending"] > 0  # the failing channels wait for their retry
    assert_clean(later.stdout + later.stderr, "`atrisk alerts`")

    for fmt in ("jsonl", "csv"):
        exported = _atrisk(env, tmp_path, "export", "--format", fmt)
        assert exported.returncode == 0 and exported.stdout.strip()
        assert_clean(exported.stdout + exported.stderr, f"export {fmt}")
    dig = _atrisk(env, tmp_path, "digest", "--format", "json")
    assert dig.returncode == 0
    assert_clean(dig.stdout + dig.stderr, "digest")
    assert_clean((tmp_path / "alerts.xml").read_text("utf-8"), "the alert feed")
    for f in (tmp_path / "digests").rglob("*"):
        if f.is_file():
            assert_clean(f.read_text("utf-8", errors="replace"), str(f))

    app = App(env["ATRISK_DB"], env["ATRISK_SOURCES"], env["ATRISK_WATCHLIST"], env["ATRISK_CONFIG"])
    try:
        report = status(app)
        assert report["runs"]
        assert_clean(json.dumps(report) + render_status(report), "the status report")
    finally:
        app.close()

    _check_database(db_url, env)


def _check_database(url: str, env: dict[str, str]) -> None:
    """Nothing stored holds a secret; outbox rows name channels by hash, never by URL."""
    dump = dump_rows(url)
    outbox = query_rows(url, "SELECT channel, status, last_error, route FROM alerts")
    rows = [(c, st, e) for c, st, e, route in outbox if not route.startswith("@")]  # alerts, not notices
    assert_clean(dump, "the database")
    assert not re.search(r"(json|mailto)s?://", dump), "an alert URL is stored"
    config = _load_config(env)
    channels = alerts.configured_channels(config)
    assert len(channels) == 3
    used = {channel for channel, _, _ in rows}
    assert used <= set(channels) | {alerts.FEED_CHANNEL}
    assert all(re.fullmatch(r"[0-9a-f]{16}|feed", c) for c, *_ in outbox)
    notices = {c for c, _, _, route in outbox if route == "@operator"}
    assert notices <= {alerts.channel_of(u) for u in config.operator.urls} | {"log"}
    errors = [e for _, st, e in rows if e]
    assert errors, "the failing channels recorded why"


def _load_config(env: dict[str, str]):  # noqa: ANN202 - Config
    saved = {k: os.environ.get(k) for k in ("ATRISK_ALERT_URLS", "ATRISK_DIGEST_URLS")}
    os.environ.update({k: env[k] for k in saved})
    try:
        return load_config(env["ATRISK_CONFIG"])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_in_process_pass_logs_no_secret_at_debug(tmp_path: Path, db_url: str,
                                                 caplog: pytest.LogCaptureFixture,
                                                 receivers: tuple[WebhookReceiver, SMTPReceiver],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """atrisk's own records are masked where they are made, so embedding it is safe too;
    those of libraries (urllib3 logs request paths with their tokens at DEBUG) are masked
    by the filter every CLI handler carries."""
    from crawler.crawl import run_crawl
    from pipeline.passes import run_pass

    hook, smtp = receivers
    with LocalSite(DEMO) as site:
        env = _setup(tmp_path, site, hook, smtp, db_url)
        for key in ("ATRISK_ALERT_URLS", "ATRISK_DIGEST_URLS"):
            monkeypatch.setenv(key, env[key])
        app = App(env["ATRISK_DB"], env["ATRISK_SOURCES"], env["ATRISK_WATCHLIST"], env["ATRISK_CONFIG"])
        caplog.set_level(logging.DEBUG)
        try:
            result = run_pass(app, run_crawl)
        finally:
            app.close()
    assert result.counters.get("alerts_sent") and result.counters.get("alerts_failed"), result.counters
    own = [r for r in caplog.records if r.name.split(".")[0] in OWN_LOGGERS]
    assert len(own) > 10 and any(r.name == "crawler.child" for r in own)
    for record in own:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                      if record.exc_info else "")
        assert_clean(text, f"log record of {record.name}")
    redact = RedactingFilter()
    for record in caplog.records:
        redact.filter(record)
        assert_clean(logging.Formatter().format(record), f"filtered log record of {record.name}")
