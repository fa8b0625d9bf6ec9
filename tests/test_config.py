"""Invalid configuration stops the command with a message naming file, entry and field."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.redact import mask_text
from pipeline.sources import SourcesError, load_sources


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def _src(body: str, name: str = "a") -> str:
    return f'[[sources]]\nname = "{name}"\n{body}\n'


FEED = 'kind = "ngo"\nfeeds = ["https://a.org/f"]'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_src('kind = "ngo"\nstart_urls = ["https://a.org/"]\nfrobnicate = 1'),
         r"source 1 \(a\): unknown key\(s\) \['frobnicate'\]"),
        (_src('kind = "blog"\nfeeds = ["https://a.org/f"]'), r"source 1 \(a\): field 'kind'"),
        (_src('kind = "ngo"'), "needs at least one of"),
        (_src('kind = "ngo"\nfeeds = "https://a.org/f"'), "field 'feeds' must be a list"),
        (_src('kind = "ngo"\nfeeds = ["ftp://a.org/f"]'), "not an http"),
        (_src(FEED + '\nallow = ["(unclosed"]'), "field 'allow': bad regex"),
        (_src(FEED) + _src(FEED), r"source 2 \(a\): field 'name': duplicate"),
        (_src(FEED + '\nevery = "often"'), "field 'every'"),
        ("[[sources]\nname=", "invalid TOML"),
    ],
)
def test_invalid_sources(tmp_path, body, message):
    p = _write(tmp_path, "sources.toml", body)
    with pytest.raises(SourcesError, match=message) as err:
        load_sources(p)
    assert str(p) in str(err.value)


def test_default_sources_are_valid():
    srcs = load_sources(None)
    assert len(srcs) >= 15
    assert {s.kind for s in srcs} == {"ngo", "festival", "guild", "news"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[alerts]\nurlz = []\n", r"\[alerts\]: unknown key"),
        ("[alerts]\nmax_age_days = 'two'\n", r"\[alerts\]\.max_age_days: must be a non-negative integer"),
        ("[alerts]\nevents = ['arest']\n", "unknown event type"),
        ("[alerts]\nscope = 'some'\n", "scope"),
        ("[[alerts.routes]]\ntags = ['iran']\n", r"routes\[1\]: field 'urls' is required"),
        ("[nonsense]\n", "unknown section"),
    ],
)
def test_invalid_config(tmp_path, body, message):
    p = _write(tmp_path, "config.toml", body)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(p)
    assert str(p) in str(err.value)


def test_env_overrides_and_masks_secrets(tmp_path, monkeypatch):
    p = _write(tmp_path, "config.toml", '[alerts]\nurls = ["mailtos://u:filepass99@smtp.example.org"]\n')
    monkeypatch.setenv("ATRISK_ALERT_URLS", "json://hooks.example.org/x?token=envtoken77")
    cfg = load_config(p)
    assert cfg.alerts.urls == ("json://hooks.example.org/x?token=envtoken77",)
    text = "failed to send to json://hooks.example.org/x?token=envtoken77 (was filepass99)"
    masked = mask_text(text)
    assert "envtoken77" not in masked and "filepass99" not in masked


def test_unusable_alert_url_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ATRISK_ALERT_URLS", raising=False)
    p = _write(tmp_path, "config.toml", '[alerts]\nurls = ["nosuchscheme://u:hunter22@host/x"]\n')
    with pytest.raises(ConfigError, match=r"\[alerts\]\.urls") as err:
        load_config(p)
    assert str(p) in str(err.value) and "hunter22" not in str(err.value)


def test_valid_alert_urls_pass(tmp_path, monkeypatch):
    monkeypatch.delenv("ATRISK_ALERT_URLS", raising=False)
    p = _write(tmp_path, "config.toml",
               '[alerts]\nurls = ["json://127.0.0.1:9/hook", "mailto://u:p@127.0.0.1:25?smtp=127.0.0.1&from=a@x.org&to=a@b.org"]\n')
    assert len(load_config(p).alerts.urls) == 2


def test_n_process_auto_by_default_or_a_number(tmp_path, monkeypatch):
    import os

    from pipeline.config import AUTO_MAX_PROCESSES, Config, parse_config

    assert Config().analysis.n_process == "auto"
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(2)), raising=False)
    assert Config().analysis.processes() == 2  # two cores: two model processes
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert Config().analysis.processes() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert Config().analysis.processes() == AUTO_MAX_PROCESSES
    assert parse_config({"analysis": {"n_process": 2}}).analysis.processes() == 2
    for bad in (0, "many", True, 1.5):
        with pytest.raises(ConfigError, match=r"\[analysis\]\.n_process"):
            parse_config({"analysis": {"n_process": bad}})
