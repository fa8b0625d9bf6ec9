"""The HTML digest rendered by real headless Chromium at a phone's width.

Needs Debian's ``chromium`` (``make system-deps``); without it the test fails, so CI
cannot pass while silently skipping the check.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from html import escape, unescape
from pathlib import Path

import pytest
from sqlalchemy import update

from pipeline.reports.digest import build_digest, render_html
from pipeline.storage.db import open_database
from pipeline.storage.models import Document
from tests.test_digest import DAY, World

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
PHONE = "412,900"
# Test-only probe page (the digest itself has no script): the digest is laid out in a
# 412 px frame; innerText leaves out whatever CSS hides, and the widths tell whether a
# phone would have to scroll sideways.
PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" style="width:412px;height:900px;border:0" srcdoc="{srcdoc}"></iframe>
<script>
window.addEventListener('load', () => {{
  const doc = document.getElementById('phone').contentDocument;
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({{
    visible: doc.body.innerText,
    scrollWidth: doc.documentElement.scrollWidth,
    clientWidth: doc.documentElement.clientWidth
  }});
  document.body.appendChild(out);
}});
</script></body></html>"""


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed; install Debian's package with `make system-deps` "
                    "(apt-get install chromium) to run the HTML digest check")
    return path


def _run(chromium: str, profile: Path, *args: str) -> str:
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={profile}", f"--window-size={PHONE}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture()
def page(db_url, tmp_path) -> Path:
    db = open_database(db_url)
    world = World(db)
    with db.session() as s:
        # an untitled page is shown by its address: a long one must wrap, not widen the page
        world.doc(s, "untitled-" + "statementonthedetentionofartists" * 6, "newswire",
                  datetime(2026, 11, 21, 17), "A page without a title but with some text.")
        s.flush()
        s.execute(update(Document).where(Document.url.like("%untitled-%")).values(title=None))
    out = tmp_path / "digest.html"
    out.write_text(render_html(build_digest(db, day=DAY)), encoding="utf-8")
    db.dispose()
    return out


def test_digest_renders_in_headless_chromium_with_events_and_names_visible(page, tmp_path):
    chromium = _chromium()
    dom = _run(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert "<h1" in dom and "atrisk digest: 2026-11-21" in dom
    assert "<script" not in dom.lower()

    probed = tmp_path / "probed.html"
    probed.write_text(PROBE.format(srcdoc=escape(page.read_text(encoding="utf-8"), quote=True)),
                      encoding="utf-8")
    found = re.search(r'<pre id="probe">(.*?)</pre>', _run(chromium, tmp_path / "profile", "--dump-dom",
                                                          probed.as_uri()), re.S)
    assert found, "the probe did not run in the page"
    probe = json.loads(unescape(found[1]))
    visible = probe["visible"]
    for text in ("New events", "Mina Rahimi arrested", "Omar Khalil sentenced", "six years",
                 "detained by security forces in Tehran", "Lena Novak",
                 "Berlin International Film Festival", "copy: pen", "no model for language 'fr'",
                 "Omar Khalil sentenced <six years>"):
        assert text in visible, f"{text!r} is not visible in the rendered digest"
    # readable on a phone: no sideways scrolling at 412 px
    assert 300 < probe["clientWidth"] <= 412
    assert probe["scrollWidth"] <= probe["clientWidth"]

    RESULTS.mkdir(parents=True, exist_ok=True)
    shot = RESULTS / "digest-phone.png"
    shot.unlink(missing_ok=True)
    _run(chromium, tmp_path / "profile", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
