"""One document's failed analysis is that document's failure, never the pass's (issue 12, 1).

A text over the model's length limit (spaCy E088 at 1,000,000 characters) is analysed
up to ``[analysis] max_text_chars`` with a note; any other failure is recorded on the
document, counted, tried again on later passes and parked after ``max_attempts``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.language import Language
from sqlalchemy import select

from extract.analyse import Analyser
from pipeline.analysis.analyse import analyse_pending, count_pending
from pipeline.app import App
from pipeline.reports.digest import build_digest
from pipeline.reports.status import render_status, status
from pipeline.storage.models import Alert, Document, Event
from tests.servers import WebhookReceiver
from tests.sites import LocalSite, Page, html_page, write_sources

ROOT = Path(__file__).resolve().parent.parent
POISON = "Zebulon Quarrington"  # the name the failing model component trips on
PEOPLE = [f"{first} {last}" for first, last in zip(
    ["Amira", "Bahram", "Celine", "Dariush", "Elif", "Farid", "Golnar", "Hamid", "Ines", "Javad",
     "Kaveh", "Leyla", "Mahsa", "Nader", "Omid", "Parisa", "Reza", "Sahar", "Taraneh", "Yasmin"],
    ["Karimi", "Tehrani", "Moradi", "Farhadi", "Sadeghi", "Rahimi", "Jafari", "Hosseini", "Ahmadi",
     "Kazemi", "Rostami", "Najafi", "Shirazi", "Ebrahimi", "Mansouri", "Bagheri", "Ghorbani",
     "Zamani", "Heidari", "Asadi"], strict=True)]


def report(name: str) -> str:
    return (f"The film director {name} was arrested by security agents in Tehran on Monday, "
            f"his family said. The festival called for the immediate release of {name}.")


@Language.component("atrisk_test_poison")
def _poison(doc):  # noqa: ANN001, ANN202 - spaCy component signature
    if POISON in doc.text:
        raise ValueError("the model cannot read this text")
    return doc


@pytest.fixture()
def app(db_url: str, tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(f'[alerts]\nfeed = "{(tmp_path / "alerts.xml").as_posix()}"\n', encoding="utf-8")
    a = App(db_url=db_url, config_path=str(config))
    yield a
    a.close()


def _store(app: App, url: str, text: str) -> None:
    from extract.article import Article
    from pipeline.storage.store import save_article

    with app.db.session() as s:
        save_article(s, Article(url=url, text=text, language="en", title="T"), source_id=None)


def _poisoned_analyser(app: App, n_process: int = 1) -> Analyser:
    analyser = Analyser(app.watchlist, n_process=n_process)
    analyser.model.add_pipe("atrisk_test_poison", last=True)
    return analyser


@pytest.mark.parametrize(("beside_store", "n_process"), [(False, 1), (True, 1), (True, 2)],
                         ids=["one-process", "store-process", "two-model-processes"])
def test_failing_document_is_counted_retried_then_parked(app: App, beside_store: bool,
                                                         n_process: int) -> None:
    for i, name in enumerate(PEOPLE[:3]):
        _store(app, f"https://ngo.example/ok-{i}", report(name))
    _store(app, "https://ngo.example/poison", report(POISON))
    # with two model processes spaCy parses the four texts in one batch in another
    # process: the batch fails there, and only the poisoned text may cost anything
    analyser = _poisoned_analyser(app, n_process)
    # follow=... makes the pass use the separate store process, as a crawling pass does
    follow = (lambda: False) if beside_store else None
    limit = getattr(app.config.analysis, "max_attempts", 3)  # the default
    for attempt in range(1, limit + 1):
        res = analyse_pending(app.db, app.watchlist, app.config, analyser=analyser, follow=follow)
        assert res.errors == 1, "the poisoned document counts once per pass"
        assert res.error_urls == ["https://ngo.example/poison"]
        assert res.documents == (3 if attempt == 1 else 0)  # the others are analysed at once
        assert res.parked == (1 if attempt == limit else 0)
        with app.db.sessions() as s:
            doc = s.scalar(select(Document).where(Document.url.like("%poison")))
            assert doc is not None and doc.analysis_attempts == attempt
            assert "cannot read this text" in (doc.analysis_error or "")
            assert (doc.analysis_parked_at is not None) == (attempt == limit)
            assert doc.claimed_by is None
    assert count_pending(app.db) == 0
    again = analyse_pending(app.db, app.watchlist, app.config, analyser=analyser, follow=follow)
    assert again.errors == 0 and again.documents == 0  # past the limit: not tried again
    with app.db.sessions() as s:
        assert {e.person_name for e in s.scalars(select(Event))} >= set(PEOPLE[:3])

    shown = status(app)
    assert shown["analysis"]["parked"] == 1
    assert shown["analysis"]["parked_documents"][0]["url"] == "https://ngo.example/poison"
    assert "1 parked" in render_status(shown)
    digest = build_digest(app.db)
    reasons = {u.document.url: u.reason for u in digest.unanalysed}
    assert reasons["https://ngo.example/poison"].startswith(f"parked after {limit} failed analyses")

    # a new text is a new start
    _store(app, "https://ngo.example/poison", report(PEOPLE[5]))
    assert count_pending(app.db) == 1
    res = analyse_pending(app.db, app.watchlist, app.config, analyser=analyser, follow=follow)
    assert res.documents == 1 and res.errors == 0
    with app.db.sessions() as s:
        doc = s.scalar(select(Document).where(Document.url.like("%poison")))
        assert doc is not None and doc.analysed and doc.analysis_parked_at is None
        assert doc.analysis_attempts == 0


def test_cut_text_ends_at_a_paragraph_or_sentence() -> None:
    from extract.analyse import cut_text

    text = "First paragraph. It ends here.\nSecond one goes on and on. " * 50
    cut = cut_text(text, 1000)
    assert len(cut) <= 1000 and text.startswith(cut)
    assert cut.endswith(("here.", "on.")), cut[-30:]
    assert cut_text("short", 1000) == "short"
    assert cut_text("x" * 2000, 1000) == "x" * 1000


# -- acceptance: a real `atrisk run` over a site with two huge articles --------------------

FILLER = ("The committee met again on the question of archives and budgets for the coming "
          "season, and the members discussed the programme at some length. ")


def huge_article(title: str, chars: int) -> Page:
    paragraphs = "".join(f"<p>{FILLER}Paragraph {i}.</p>" for i in range(chars // len(FILLER) + 1))
    return Page(html_page(title, f"<article><h1>{title}</h1>{paragraphs}</article>"))


def _atrisk(work: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=work, env=env, text=True,
                          capture_output=True, timeout=600)


def test_pass_over_huge_articles_analyses_the_rest_and_does_not_retry_them(tmp_path: Path,
                                                                           db_url: str) -> None:
    pages = {f"/news/{i}": Page(html_page(f"Arrest {i}", f"<article><h1>Arrest of {name}</h1><p>"
                                          f"{report(name)}</p><p>{report(name)}</p></article>"))
             for i, name in enumerate(PEOPLE)}
    pages["/news/huge-5mb"] = huge_article("Annual report", 5_000_000)
    pages["/news/huge-1mb"] = huge_article("Archive", 1_050_000)
    links = "".join(f'<a href="{p}">{p}</a> ' for p in pages)
    pages["/"] = Page(html_page("News", links))
    hook = WebhookReceiver().start()
    try:
        with LocalSite(pages) as site:
            write_sources(tmp_path / "sources.toml", [{
                "name": "site", "kind": "news", "start_urls": [site.url("/")], "allow_private": True}])
            (tmp_path / "config.toml").write_text(
                "[crawl]\ndownload_delay = 0.0\nautothrottle = false\ntimeout = 30\nretries = 0\n"
                f'[alerts]\nurls = ["{hook.url()}"]\nfeed = "{(tmp_path / "alerts.xml").as_posix()}"\n'
                f'[digest]\ndir = "{(tmp_path / "digests").as_posix()}"\n', encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith("ATRISK_")}
            env.update(PYTHONPATH=str(ROOT), ATRISK_DB=db_url, ATRISK_SOURCES=str(tmp_path / "sources.toml"),
                       ATRISK_CONFIG=str(tmp_path / "config.toml"))
            first = _atrisk(tmp_path, env, "-q", "run")
            assert first.returncode == 0, first.stderr[-3000:]
            summary = json.loads(first.stdout.strip().splitlines()[-1])
            second = _atrisk(tmp_path, env, "-q", "run")
            assert second.returncode == 0, second.stderr[-3000:]
            again = json.loads(second.stdout.strip().splitlines()[-1])
    finally:
        hook.stop()
    assert summary["status"] == "ok"
    assert summary["new_documents"] == 22
    assert summary["analysed"] == 22  # the 20, and the two big ones up to the limit
    assert summary["analysis_truncated"] == 2
    assert summary["alerts_sent"] == 20
    assert sorted({p["json"]["title"] for p in hook.posts}) == sorted(
        f"atrisk: ARREST — {name}" for name in PEOPLE)
    assert len(hook.posts) == 20
    assert "Traceback" not in first.stderr
    app = App(db_url=db_url)
    try:
        with app.db.sessions() as s:
            big = {d.url.rsplit("/", 1)[1]: d for d in s.scalars(select(Document)
                                                                 .where(Document.url.like("%huge%")))}
            assert len(big) == 2
            for doc in big.values():
                assert doc.analysed and doc.analysed_hash == doc.content_hash
                assert doc.analysis_note and "text cut for analysis at" in doc.analysis_note
                assert len(doc.text or "") > 1_000_000  # the stored text is whole
            assert s.query(Alert).filter(Alert.status == "sent", Alert.channel != "feed").count() == 20
        assert status(app)["analysis"]["truncated"] == 2
    finally:
        app.close()
    # the next pass does not try them again, and sends nothing twice
    assert again["analysed"] == 0 and again.get("analysis_failed", 0) == 0
    assert again["model_loaded"] is False
    assert len(hook.posts) == 20
