"""Incidents through the real pipeline: local publishers, real `atrisk run`, a webhook.

Five documents from three publishers report one arrest (two carry the same statement):
one incident, three independent sources, one alert. The same person arrested again four
months later: a second incident and a second alert. A 2010 sentence recalled in a 2023
report joins the 2010 incident and alerts no one. Then `atrisk incidents` (JSON lines and
the Uwazi CSV of README), the case file, the export, and analysts' corrections kept
through `atrisk reprocess`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.servers import WebhookReceiver
from tests.sites import LocalSite, Page, html_page

ROOT = Path(__file__).resolve().parent.parent
ATRISK = str(Path(sys.executable).with_name("atrisk"))
PERSON = "Soraya Vahidi"
PUBLISHERS = ("rights-watchers", "daily-courier", "screen-guild")
TODAY = date.today()
FIRST = TODAY - timedelta(days=125)  # the first arrest, about four months before the second
SECOND = TODAY - timedelta(days=3)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _article(title: str, published: date, *paragraphs: str) -> Page:
    head = f'<meta property="article:published_time" content="{published.isoformat()}">'
    body = "<article><h1>{}</h1>{}</article>".format(title, "".join(f"<p>{p}</p>" for p in paragraphs))
    return Page(html_page(title, body, head=head))


STATEMENT = (
    f"Iranian filmmaker {PERSON} was arrested by security forces at her home in Tehran on {_day(FIRST)}.",
    "Her family has not been told where she is held. Her latest documentary follows three women "
    "who run a small print shop in the south of the city and has been shown at several festivals "
    "abroad over the past year.",
    "We call on the authorities to release her at once and without conditions, and to drop every "
    "charge brought against her because of her work as a filmmaker.",
)


def _first_wave() -> dict[str, Page]:
    return {
        "/rights-watchers/vahidi-statement.html": _article(
            "Filmmaker Soraya Vahidi arrested", FIRST, *STATEMENT),
        # the same statement, republished with the outlet's own line on top
        "/daily-courier/statement-vahidi.html": _article(
            "Statement: Soraya Vahidi arrested", FIRST + timedelta(days=1),
            "The following statement was sent to our newsroom.", *STATEMENT),
        "/daily-courier/vahidi-detained.html": _article(
            "Director detained in Tehran", FIRST + timedelta(days=1),
            "Our correspondent filed this report on Tuesday evening.",
            f"The documentary maker {PERSON} was detained in Tehran, her lawyer said on Tuesday.",
            "Colleagues said the arrest followed the screening of her film at a festival in Europe."),
        "/screen-guild/solidarity-vahidi.html": _article(
            "Solidarity with Soraya Vahidi", FIRST + timedelta(days=2),
            f"The guild is appalled by the arrest of its member {PERSON} in Tehran.",
            "Members will hold a public reading of her scripts next week."),
        "/screen-guild/vahidi-update.html": _article(
            "Update on Soraya Vahidi", FIRST + timedelta(days=4),
            f"{PERSON}, who was detained last week, has still not seen a lawyer.",
            "The guild has written to the ambassador."),
    }


def _second_arrest() -> dict[str, Page]:
    return {"/rights-watchers/vahidi-arrested-again.html": _article(
        "Soraya Vahidi arrested again", SECOND,
        f"Filmmaker {PERSON} was arrested again by intelligence agents in Tehran on {_day(SECOND)}, "
        "four months after she was first detained.",
        "She had been working on a new film about the city's theatres.")}


OLD_PERSON = "Kaveh Ardalan"


def _old_sentence() -> dict[str, Page]:
    return {"/rights-watchers/ardalan-sentenced-2010.html": _article(
        "Poet Kaveh Ardalan sentenced", date(2010, 6, 12),
        f"The Revolutionary Court in Tehran sentenced the poet {OLD_PERSON} to six years in prison "
        "on 9 June 2010.",
        "His lawyer said he would appeal.")}


def _recollection() -> dict[str, Page]:
    return {"/screen-guild/ardalan-new-book-2023.html": _article(
        "A new book by Kaveh Ardalan", date(2023, 3, 2),
        f"The poet {OLD_PERSON} has published his first book in a decade.",
        f"In 2010, {OLD_PERSON} was sentenced to six years in prison by the Revolutionary Court.",
        "The book collects poems written over many years.")}


class Publishers:
    """Three publishers on one local site, each with its own listing page."""

    def __init__(self, site: LocalSite) -> None:
        self.site = site

    def publish(self, pages: dict[str, Page]) -> None:
        self.site.pages.update(pages)
        for name in PUBLISHERS:
            links = [p for p in self.site.pages if p.startswith(f"/{name}/") and not p.endswith("/")]
            self.site.pages[f"/{name}/"] = Page(html_page(name, "<ul>" + "".join(
                f'<li><a href="{p}">{p}</a></li>' for p in sorted(links)) + "</ul>"))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("incidents")
    hook = WebhookReceiver().start()
    site = LocalSite({"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")})
    site.start()
    publishers = Publishers(site)
    publishers.publish({})
    (work / "sources.toml").write_text("".join(
        f'[[sources]]\nname = "{name}"\nkind = "ngo"\nstart_urls = ["{site.url(f"/{name}/")}"]\n'
        f'allow = ["/{name}/"]\nallow_private = true\n\n' for name in PUBLISHERS), encoding="utf-8")
    (work / "config.toml").write_text(
        "[crawl]\ndownload_delay = 0.0\nautothrottle = false\n"
        f'[alerts]\nurls = ["{hook.url()}"]\nmax_age_days = 10000\n'
        f'feed = "{(work / "alerts.xml").as_posix()}"\n'
        f'[digest]\ndir = "{(work / "digests").as_posix()}"\n', encoding="utf-8")
    (work / "watchlist.toml").write_text(
        f'[[people]]\nname = "{PERSON}"\ncountry = "Iran"\nprofession = "filmmaker"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
    env["ATRISK_DB"] = f"sqlite:///{work / 'atrisk.db'}"

    def atrisk(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([ATRISK, "--sources", str(work / "sources.toml"), "--config",
                               str(work / "config.toml"), "--watchlist", str(work / "watchlist.toml"),
                               *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        if check:
            assert done.returncode == 0, done.stderr[-3000:]
        return done

    def incidents(*args: str) -> list[dict]:
        return [json.loads(line) for line in atrisk("incidents", *args).stdout.splitlines()]

    steps: dict[str, object] = {}
    try:
        for name, pages in (("first", _first_wave()), ("second", _second_arrest()),
                            ("old", _old_sentence()), ("recalled", _recollection())):
            publishers.publish(pages)
            atrisk("-q", "run")
            steps[name] = {"incidents": incidents(), "posts": list(hook.posts)}
        yield {"steps": steps, "atrisk": atrisk, "incidents": incidents, "hook": hook, "work": work}
    finally:
        site.stop()
        hook.stop()


def _of(records: list[dict], person: str, etype: str) -> list[dict]:
    return [r for r in records if r["person"] == person and r["type"] == etype]


def _titles(posts: list[dict]) -> list[str]:
    return [p["json"]["title"] for p in posts]


def test_five_reports_from_three_publishers_are_one_incident_with_one_alert(world):
    step = world["steps"]["first"]
    (arrest,) = _of(step["incidents"], PERSON, "arrest")
    assert len(arrest["documents"]) == 5
    assert arrest["sources"] == 3
    assert arrest["date"] == FIRST.isoformat() and arrest["date_precision"] == "day"
    assert arrest["country"] == "Iran" and arrest["place"] == "Tehran"
    assert arrest["authority"] == "security forces"
    assert arrest["first_reported"]["source"] == "rights-watchers"
    assert arrest["first_reported"]["published"] == FIRST.isoformat()
    assert arrest["first_reported"]["url"].endswith("/rights-watchers/vahidi-statement.html")
    assert arrest["new"] is True and arrest["review"] == "pending"
    assert _titles(step["posts"]) == [f"atrisk: ARREST — {PERSON}"]
    body = step["posts"][0]["json"]["message"]
    # the report analysed first alerts (crawl order decides which), with what that report
    # says: only the statement and its copy name the city, the day and who made the arrest
    link = body.rsplit("Link: ", 1)[1].split()[0]
    if link.endswith(("/vahidi-statement.html", "/statement-vahidi.html")):
        assert "Where: Tehran, Iran" in body
        assert f"When: {FIRST.isoformat()}" in body
        assert "By whom: security forces" in body
    else:
        assert "Where: Iran" in body or "Where: Tehran, Iran" in body
        assert "By whom:" not in body
    assert "Sources: 1 independent source" in body  # what was known when it was first reported


def test_a_second_arrest_four_months_later_is_a_new_incident_with_a_new_alert(world):
    step = world["steps"]["second"]
    arrests = _of(step["incidents"], PERSON, "arrest")
    assert len(arrests) == 2
    latest = next(r for r in arrests if r["date"] == SECOND.isoformat())
    assert latest["sources"] == 1 and latest["new"] is True
    assert latest["authority"] == "intelligence agents"
    assert _titles(step["posts"]) == [f"atrisk: ARREST — {PERSON}"] * 2


def test_a_recalled_2010_sentence_joins_the_2010_incident_and_alerts_no_one(world):
    before = world["steps"]["old"]
    (old,) = _of(before["incidents"], OLD_PERSON, "sentence")
    assert old["date"] == "2010-06-09" and old["term"] == "six years in prison"
    after = world["steps"]["recalled"]
    (same,) = _of(after["incidents"], OLD_PERSON, "sentence")
    assert same["id"] == old["id"]
    assert len(same["documents"]) == 2 and same["sources"] == 2
    assert same["date"] == "2010-06-09" and same["date_precision"] == "day"  # the precise report wins
    assert len(after["posts"]) == len(before["posts"])  # the 2023 report alerted no one


def test_filters_and_export_carry_the_incident(world):
    assert {r["person"] for r in world["incidents"]("--type", "sentence")} == {OLD_PERSON}
    assert {r["country"] for r in world["incidents"]("--country", "Iranian")} == {"Iran"}
    assert world["incidents"]("--country", "Norway") == []
    recent = world["incidents"]("--since", "30d")
    assert [r["date"] for r in recent] == [SECOND.isoformat()]
    export = [json.loads(line) for line in world["atrisk"]("export").stdout.splitlines()]
    ids = {e["incident"] for rec in export for e in rec["events"] if e["person"] == PERSON}
    assert len(ids) == 2 and None not in ids


def _uwazi_mapping() -> list[tuple[str, str, str]]:
    """The column table of README's "Incidents in Uwazi" section: (column, Uwazi type, field)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Incidents in Uwazi", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([a-z]+) \| (.+?) \|$", section, flags=re.M)
    return [(c, t, f.strip()) for c, t, f in rows]


def test_incidents_csv_has_the_documented_uwazi_columns(world):
    from pipeline.reports.incidents import UWAZI_COLUMNS

    mapping = _uwazi_mapping()
    assert [(c, t) for c, t, _ in mapping] == [(c, t) for c, _, t in UWAZI_COLUMNS]
    out = world["atrisk"]("incidents", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [c for c, _, _ in mapping]
    assert mapping[0][0] == "title" and all(r["title"] for r in rows)  # Uwazi requires a title
    arrest = next(r for r in rows if r["date"] == FIRST.isoformat())
    assert arrest["person"] == PERSON and arrest["event_type"] == "arrest"
    assert arrest["country"] == "Iran" and arrest["sources"] == "3" and arrest["new"] == "yes"
    label, url = arrest["first_report"].split("|")
    assert label == "rights-watchers" and url.endswith("/rights-watchers/vahidi-statement.html")
    assert len(arrest["documents"].splitlines()) == 5
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", arrest["first_report_date"])


def test_case_file_has_status_profession_country_and_incidents(world):
    case = json.loads(world["atrisk"]("person", PERSON, "--format", "json").stdout)
    assert case["profession"] == "filmmaker" and case["country"] == "Iran"
    latest = next(i for i in case["incidents"] if i["date"] == SECOND.isoformat())
    assert case["status"] == "in_custody" and case["status_incident"] == latest["id"]
    assert len(case["incidents"]) == 2


def test_corrections_are_recorded_and_survive_reprocess(world):
    atrisk, incidents = world["atrisk"], world["incidents"]
    arrests = sorted(_of(incidents(), PERSON, "arrest"), key=lambda r: r["date"])
    first, second = arrests
    done = atrisk("incidents", "set", str(first["id"]), "place", "Evin Prison", "--by", "analyst-1")
    assert json.loads(done.stdout) == {"id": first["id"], "place": "Evin Prison"}
    bad = atrisk("incidents", "set", str(first["id"]), "date", "May 2026", check=False)
    assert bad.returncode == 1 and "expected YYYY-MM-DD" in bad.stderr
    export = [json.loads(line) for line in atrisk("export").stdout.splitlines()]
    guild_update = next(r for r in export if r["url"].endswith("/screen-guild/vahidi-update.html"))
    assert guild_update["events"][0]["incident"] == first["id"]
    event_id = _event_id(world["work"], guild_update["url"])
    split = json.loads(atrisk("incidents", "split", str(event_id), "--by", "analyst-2").stdout)
    atrisk("incidents", "merge", str(first["id"]), str(second["id"]), "--by", "analyst-1")
    posts = len(world["hook"].posts)
    atrisk("-q", "reprocess")
    atrisk("-q", "run")
    after = {r["id"]: r for r in _of(incidents(), PERSON, "arrest")}
    assert set(after) == {first["id"], split["id"]}
    assert after[first["id"]]["place"] == "Evin Prison" and after[first["id"]]["review"] == "corrected"
    assert len(after[first["id"]]["documents"]) == 5  # four of the first wave and the second arrest
    assert after[split["id"]]["documents"] == [guild_update["url"]]
    assert len(world["hook"].posts) == posts  # corrections and re-analysis alert no one
    history = _history(world["work"], first["id"])
    assert [(h[0], h[1]) for h in history] == [("set", "analyst-1"), ("merge", "analyst-1")]
    assert all(h[2] for h in history)  # when


def _event_id(work: Path, url: str) -> int:
    import sqlite3

    with sqlite3.connect(work / "atrisk.db") as conn:
        return conn.execute("SELECT e.id FROM events e JOIN documents d ON d.id = e.document_id "
                            "WHERE d.url = ?", (url,)).fetchone()[0]


def _history(work: Path, incident_id: int) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(work / "atrisk.db") as conn:
        return conn.execute("SELECT action, actor, created_at FROM incident_changes "
                            "WHERE incident_id = ? ORDER BY id", (incident_id,)).fetchall()
