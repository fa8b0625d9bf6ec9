"""The model in two processes (``[analysis] n_process = 2``) stores what one process stores.

A real analysis pass over English reports with texts in other languages between them
(analysed beside the model's stream, in their place), in batches of two so both model
processes get work; the export afterwards equals that of a one-process pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spacy.language import Language

from extract.analyse import Analyser
from extract.article import Article
from pipeline.analysis.analyse import analyse_pending, count_pending
from pipeline.app import App
from pipeline.reports.export import iter_records
from pipeline.storage.store import save_article

REPORTS = [
    ("en", "The poet Anna Verlaine was arrested by police in Minsk on Tuesday, her publisher said. "
           "Friends called for the release of Anna Verlaine."),
    ("en", "A court in Baku sentenced the journalist Tural Mammadli to six years in prison on "
           "Friday. His lawyer said Tural Mammadli would appeal."),
    ("de", "Der Journalist Jonas Brenner wurde am Montag in Istanbul festgenommen, teilte seine "
           "Zeitung mit."),
    ("en", "Security agents detained the film director Kaveh Rostam at his home in Tehran. The "
           "festival said Kaveh Rostam had done nothing wrong."),
    ("ru", "Журналист Иван Петров был задержан в Москве во вторник, сообщила его редакция. "
           "Иван Петров отрицает обвинения."),
    ("en", "The singer Leyla Sadri was released on bail after three weeks in detention, her "
           "family said on Sunday."),
    ("en", "Police in Hong Kong charged the publisher Jimmy Wen with sedition over articles in his "
           "newspaper."),
]


def _pass(db_url: str, tmp_path: Path, n_process: int) -> list[dict]:
    config = tmp_path / f"config-{n_process}.toml"
    config.write_text(f'[alerts]\nfeed = "{(tmp_path / "alerts.xml").as_posix()}"\n', encoding="utf-8")
    app = App(db_url=db_url, config_path=str(config))
    try:
        with app.db.session() as s:
            for i, (language, text) in enumerate(REPORTS):
                save_article(s, Article(url=f"https://news.example/{i}", text=text, language=language,
                                        title=f"Report {i}"), source_id=None)
        analyser = Analyser(app.watchlist, batch_size=2, n_process=n_process)
        counters = analyse_pending(app.db, app.watchlist, app.config, analyser=analyser)
        assert counters.errors == 0 and counters.documents == len(REPORTS)
        assert count_pending(app.db) == 0
        return list(iter_records(app.db))
    finally:
        app.close()


@pytest.mark.timeout(600)
def test_two_model_processes_store_what_one_stores(db_url: str, other_db_url: str, tmp_path: Path) -> None:
    one = _pass(db_url, tmp_path, 1)
    two = _pass(other_db_url, tmp_path, 2)
    assert sum(len(r["events"]) for r in one) >= 4, "the reports must give events to compare"
    assert {r["language"] for r in one} == {"en", "de", "ru"}
    assert two == one


# -- extract.model_processes on its own: order, failures, a process that dies ------------

_ITEMS = [(text, None, (i, language)) for i, (language, text) in enumerate(REPORTS)]
_TRIP = "Kaveh Rostam"  # the rules fail on the report naming him (below)
_DIE = "Leyla Sadri"  # the model process reading her report ends at once (below)


def _analyser() -> Analyser:
    from extract.watchlist import load_watchlist

    analyser = Analyser(load_watchlist(None), batch_size=2, n_process=2)
    analyser.language_of = lambda ctx: ctx[1]
    return analyser


@Language.component("atrisk_test_exit")
def _exit_on(doc):  # noqa: ANN001, ANN202 - spaCy component signature
    if _DIE in doc.text:
        os._exit(3)
    return doc


@pytest.mark.timeout(300)
def test_processes_keep_order_and_report_a_failure_by_its_type_and_message(monkeypatch) -> None:
    from extract import analyse

    real = analyse.analyse_doc

    def tripping(doc, watchlist, published=None):  # noqa: ANN001, ANN202
        if _TRIP in doc.text:
            raise KeyError("no rule for this text")
        return real(doc, watchlist, published)

    monkeypatch.setattr(analyse, "analyse_doc", tripping)  # before the fork: the processes see it
    one = Analyser(_analyser().watchlist)
    one.language_of = lambda ctx: ctx[1]
    one.on_error = lambda ctx, exc: None
    expected = list(one.analyse_many(_ITEMS))
    analyser = _analyser()
    failures: list[tuple[int, str]] = []
    analyser.on_error = lambda ctx, exc: failures.append((ctx[0], f"{type(exc).__name__}: {exc}"))
    got = list(analyser.analyse_many(_ITEMS))
    tripped = next(i for i, (_, text) in enumerate(REPORTS) if _TRIP in text)
    assert failures == [(tripped, "KeyError: 'no rule for this text'")]
    assert [ctx for ctx, _ in got] == [ctx for _, _, ctx in _ITEMS if ctx[0] != tripped]
    assert repr(got) == repr(expected)  # the same analyses, in the same order


@pytest.mark.timeout(300)
def test_a_model_process_that_dies_ends_the_stream_with_an_error() -> None:
    from extract.model_processes import ModelProcessDied

    analyser = _analyser()
    analyser.model.add_pipe("atrisk_test_exit", last=True)
    with pytest.raises(ModelProcessDied, match="exit code 3"):
        list(analyser.analyse_many(_ITEMS))


def test_batches_start_small_keep_their_place_and_put_other_languages_alone() -> None:
    from extract.model_processes import _batches

    items = [(f"Report number {i} from the capital.", None, (i, "en")) for i in range(20)]
    items[9] = ("Der Journalist wurde festgenommen.", None, (9, "de"))
    items[12] = ("The poet wrote 自由 on the wall.", None, (12, "en"))  # another script: alone
    got = list(_batches(items, lambda ctx: ctx[1], 8, 10_000))
    assert [(english, [item[2][0] for item in batch]) for english, batch in got] == [
        (True, [0]), (True, [1, 2]), (True, [3, 4, 5, 6]), (True, [7, 8]), (False, [9]),
        (True, [10, 11]), (False, [12]), (True, [13, 14, 15, 16, 17, 18, 19])]
    by_chars = list(_batches(items[:6], lambda ctx: ctx[1], 8, 60))  # about two texts' worth
    assert all(sum(len(item[0]) for item in batch) < 60 + 40 for _, batch in by_chars)
