"""The workbench in a real browser: Playwright driving Debian's Chromium (no browser download).

A real uvicorn server on a free local port; the analyst signs in, confirms, dismisses,
corrects and merges with the page forms, and each change shows on the case page, in the
export and in the feed. Screenshots at 412 and 1280 px go to benchmarks/results/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.reports.export import iter_records
from pipeline.storage.db import open_database
from tests.webworld import PASSWORD, WebWorld

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed; install Debian's package with `make system-deps`")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def served(db_url) -> Iterator[tuple[str, WebWorld]]:
    import uvicorn

    db = open_database(db_url)
    world = WebWorld(db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(world.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the workbench did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", world
    finally:
        server.should_exit = True
        thread.join(10)
        db.dispose()


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _login(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _no_sideways_scroll(page) -> None:
    sw, cw = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sw <= cw, f"the page scrolls sideways at {cw} px ({sw} px wide)"


def test_analyst_reviews_corrects_merges_and_sees_it_everywhere(served, browser):
    base, world = served
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    _login(page, base, "analyst")
    page.goto(f"{base}/review")
    assert page.inner_text("#pending-count") == "4"
    # crawled markup is text: the sentence shows the tag, and no element was made from it
    # one row per incident: the arrest reported by two publishers is one card with both sentences
    card = page.locator(f"#incident-{world.incidents['arrest']}")
    assert card.locator(".evidence li").count() == 2
    first = card.locator(f"#event-{world.events['arrest']}")
    assert "<img src=x onerror=alert(1)>" in first.locator("blockquote").inner_text()
    assert card.locator("blockquote img").count() == 0
    assert first.locator("mark.person").inner_text() == "Mina Rahimi"
    assert first.locator("mark.trigger").inner_text() == "arrested"
    assert card.locator(f"#event-{world.events['detained']} mark.trigger").inner_text() == "detained"
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / "web-review-1280.png"), full_page=True)

    card.locator("button.confirm").click()  # confirms both reports
    page.wait_for_url(f"{base}/review")
    assert page.locator(f"#incident-{world.incidents['arrest']}").count() == 0
    # the keyboard: newest first (ban, summons, charge); j moves down twice, k once up, j again,
    # and "d" dismisses the charge
    cards = page.locator(".card[data-review]")
    assert cards.count() == 3
    for key in "jjkj":
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.id") == f"incident-{world.incidents['charge']}"
    page.keyboard.press("d")
    page.wait_for_selector(f"#incident-{world.incidents['charge']}", state="detached")
    assert page.inner_text("#pending-count") == "2"
    summons = page.locator(f"#incident-{world.incidents['summons']}")
    summons.locator("summary").click()
    summons.locator("input[name=person]").fill("Omar Khalil")
    summons.locator("text=Save correction").click()
    page.wait_for_url(f"{base}/review")
    assert page.inner_text("#pending-count") == "1"

    page.goto(f"{base}/people/Mina%20Rahimi")
    page.fill("input[name=other]", "M. Rahimi")
    page.click("form[action$='/merge'] button")
    page.wait_for_url(f"{base}/people/Mina%20Rahimi")
    text = page.inner_text("main")
    assert "M. Rahimi" in text and "confirmed" in text and "banned" in text
    assert page.locator("figure.chart svg circle").count() == 2  # arrest and the merged ban
    page.screenshot(path=str(RESULTS / "web-person-1280.png"), full_page=True)
    page.goto(f"{base}/people/Omar%20Khalil")
    text = page.inner_text(".timeline-list")
    assert "summoned" in text and "corrected" in text and "charged" not in text  # the charge was dismissed

    # the export and the feeds say the same
    exported = {rec["url"].rsplit("/", 1)[1]: rec for rec in iter_records(world.db)}
    assert [(e["type"], e["review"]) for e in exported["arrest"]["events"]] == [("arrest", "confirmed")]
    assert exported["charge"]["events"] == []
    assert [(e["person"], e["review"]) for e in exported["summons"]["events"]] == [("Omar Khalil",
                                                                                    "corrected")]
    assert [e["person"] for e in exported["ban"]["events"]] == ["Mina Rahimi"]
    feed = page.request.get(f"{base}/feeds/person/Omar%20Khalil.atom").text()
    assert "SUMMONS — Omar Khalil" in feed and "Review: corrected" in feed and "CHARGE" not in feed
    feed = page.request.get(f"{base}/feeds/person/Mina%20Rahimi.atom").text()
    assert "BAN — Mina Rahimi" in feed and "Review: confirmed" in feed

    # a form posted without its CSRF token is refused
    r = page.request.post(f"{base}/review/{world.events['ban']}", form={"decision": "confirm"})
    assert r.status == 403
    ctx.close()


def test_viewer_is_refused_and_pages_fit_a_phone(served, browser):
    base, world = served
    ctx = browser.new_context(viewport={"width": 412, "height": 900}, is_mobile=True)
    page = ctx.new_page()
    _login(page, base, "viewer")
    for path, shot in (("/", "web-today-412.png"), ("/review", "web-review-412.png"),
                       ("/people/Mina%20Rahimi", "web-person-412.png"), ("/documents", None), ("/sources",
                                                                                               None)):
        page.goto(base + path)
        _no_sideways_scroll(page)
        if shot:
            page.screenshot(path=str(RESULTS / shot), full_page=True)
    page.goto(f"{base}/review")
    assert page.locator("button.confirm").count() == 0  # no write controls for a viewer
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    r = page.request.post(f"{base}/review/{world.events['arrest']}", form={"decision": "confirm",
                                                                           "csrf": csrf})
    assert r.status == 403
    # markup in a crawled title is text
    page.goto(f"{base}/documents")
    assert "<script>alert('title')</script> Statement" in page.inner_text("main")
    # an expired or forged session cookie signs nobody in
    ctx.clear_cookies()
    page.goto(f"{base}/review")
    assert page.url.startswith(f"{base}/login")
    ctx.close()
    for name in ("web-today-412.png", "web-review-412.png", "web-person-412.png",
                 "web-review-1280.png", "web-person-1280.png"):
        path = RESULTS / name
        if path.exists():
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_people_facets_work_without_javascript(served, browser):
    base, world = served
    for width in (1280, 412):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
        page = ctx.new_page()
        _login(page, base, "analyst")
        page.goto(f"{base}/people")
        assert page.locator("#facet-status a[data-value=in_custody] + .n").inner_text() == "1"
        page.click("#facet-tag a[data-value=iran]")
        page.click("#facet-status a[data-value=in_custody]")  # the tag is kept
        page.wait_for_url(lambda url: "tag=iran" in url and "status=in_custody" in url)
        assert page.locator("table.list tbody tr").count() == 1
        assert "Mina Rahimi" in page.inner_text("table.list")
        assert page.locator("#facet-tag a.chosen").inner_text() == "iran"
        _no_sideways_scroll(page)
        page.screenshot(path=str(RESULTS / f"web-people-{width}.png"), full_page=True)
        page.click("a.chip:has-text('Tag')")  # off again: only the status is left
        page.wait_for_url(lambda url: "tag=" not in url and "status=in_custody" in url)
        page.fill("input[name=q]", "nobody")
        page.click("form.filters button")
        page.wait_for_url(lambda url: "q=nobody" in url and "status=in_custody" in url)
        assert "Nobody matches" in page.inner_text("table.list")
        ctx.close()
        assert (RESULTS / f"web-people-{width}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_adding_to_the_watchlist_writes_the_file(served, browser):
    from extract.watchlist import load_watchlist

    base, world = served
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    _login(page, base, "analyst")
    page.goto(f"{base}/people/Lena%20Novak")
    form = page.locator("#watchlist-form")
    assert "not listed there yet" in form.inner_text()
    form.locator("input[name=watchlisted]").check()
    form.locator("input[name=tags]").fill("poland, poetry")
    form.locator("button").click()
    page.wait_for_url(f"{base}/people/Lena%20Novak")
    assert "listed there with tags poland, poetry" in page.inner_text("#watchlist-form")
    text = world.watchlist_path.read_text(encoding="utf-8")
    assert text.startswith("# Our desk's watchlist")  # the comments are kept
    assert {p.name: p.tags for p in load_watchlist(world.watchlist_path).people}["Lena Novak"] == (
        "poland", "poetry")
    # a page loaded before the file changed by hand refuses to save over it
    page.goto(f"{base}/people/Omar%20Khalil")
    world.watchlist_path.write_text(text + "# a hand edit\n", encoding="utf-8")
    page.locator("#watchlist-form input[name=watchlisted]").uncheck()
    page.locator("#watchlist-form button").click()
    assert "changed since this page was loaded" in page.inner_text("main")
    assert world.watchlist_path.read_text(encoding="utf-8") == text + "# a hand edit\n"
    ctx.close()
