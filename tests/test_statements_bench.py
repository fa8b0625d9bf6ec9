"""The statements benchmark's choice of corpus: --corpus / --fresh / --split, and the fresh set's shape.

Nothing here needs the shared corpus: the folders are written by the test (own words), and
the fresh set is the project's own committed data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import statements


def _corpus(root: Path, split: str = "mine") -> Path:
    """A two-page folder in the corpus's format, in words written for this test."""
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "one.txt").write_text(
        "A poet is held\n1 May 2020\nThe poet Ann Example was detained on Friday.\n", encoding="utf-8")
    (root / "pages" / "two.txt").write_text(
        "Festival news <b>&\n2 May 2020\nThe jury met {{twice}}.\n", encoding="utf-8")
    gold = {"_about": {"sources": {}},
            "one": {"site": "pen", "published": "2020-05-01", "split": split, "people": [["Ann Example"]],
                    "organizations": [], "events": [["arrest", "Ann Example"]]},
            "two": {"site": "festival", "published": "2020-05-02", "split": split, "people": [],
                    "organizations": [], "events": []}}
    (root / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    return root


def test_without_options_the_shared_corpus_and_its_splits_are_used() -> None:
    args = statements.parse_args([])
    assert args.corpus is None and args.split is None and not args.no_empty
    assert statements.results_name(None) == "statements"
    assert statements.split_names({}) == ["dev", "test", "all"]


def test_fresh_is_the_committed_folder_scored_as_its_own_split() -> None:
    args = statements.parse_args(["--fresh", "--no-empty"])
    assert args.corpus == statements.FRESH.resolve() and args.no_empty
    gold = statements.load_gold(args.corpus)
    assert statements.splits_of(gold, args.corpus) == ("fresh",)
    assert statements.results_name(args.corpus) == "statements_fresh"
    assert statements.split_names({"split_names": ["fresh"]}) == ["fresh"]
    assert statements.parse_args(["--fresh", "--split", "fresh"]).split == "fresh"


@pytest.mark.parametrize(("flag", "folder", "split"), [
    ("--dev2", statements.DEV2, "dev2"), ("--dev3", statements.DEV3, "dev3")])
def test_our_own_dev_folders(flag: str, folder: Path, split: str) -> None:
    args = statements.parse_args([flag])
    assert args.corpus == folder.resolve()
    assert statements.splits_of(statements.load_gold(args.corpus), args.corpus) == (split,)
    assert statements.results_name(args.corpus) == f"statements_{split}"


def test_a_corpus_folder_with_its_own_split(tmp_path: Path) -> None:
    root = _corpus(tmp_path / "statements_mine")
    args = statements.parse_args(["--corpus", str(root), "--split", "mine"])
    assert args.corpus == root.resolve() and args.split == "mine"
    assert statements.results_name(args.corpus) == "statements_mine"
    gold = statements.load_gold(args.corpus)
    assert sorted(gold) == ["one", "two"]  # _about left out
    paths = statements.build_site(tmp_path / "site", gold, args.corpus)
    assert paths == {"/pen/pages/one.html": "one", "/festival/pages/two.html": "two"}
    page = (tmp_path / "site" / "festival" / "pages" / "two.html").read_text(encoding="utf-8")
    assert "<h1>Festival news &lt;b&gt;&amp;</h1>" in page and "{{" not in page
    assert 'datetime="2020-05-02"' in page
    assert "one.html" in (tmp_path / "site" / "pen" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "message"), [
    (["--corpus", "{missing}"], "no gold.json and no pages/"),
    (["--corpus", "{empty}"], "no gold.json and no pages/"),
    (["--corpus", "{good}", "--split", "test"], "--split test: the gold has the splits mine"),
    (["--split", "fresh"], "--split fresh: the gold has the splits dev, test"),
    (["--fresh", "--corpus", "{good}"], "not allowed with argument"),
])
def test_bad_choices_are_clear_errors(tmp_path: Path, capsys, argv: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    _corpus(tmp_path / "good")
    argv = [a.format(missing=tmp_path / "missing", empty=tmp_path / "empty", good=tmp_path / "good")
            for a in argv]
    with pytest.raises(SystemExit) as exc:
        statements.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("folder", "split", "at_least"), [
    (statements.FRESH, "fresh", 30), (statements.DEV2, "dev2", 45),
    (statements.DEV3, "dev3", 20)], ids=["fresh", "dev2", "dev3"])
def test_our_labelled_sets_are_complete_and_consistent(folder: Path, split: str,
                                                       at_least: int) -> None:
    data = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    sources = data.pop("_about")["sources"]
    pages = {p.stem for p in (folder / "pages").glob("*.txt")}
    # every URL is listed in the folder's markdown (README.md, or a part's SOURCES_*.md)
    listed = "".join(f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.md")))
    assert pages == set(data) == set(sources) and len(pages) >= at_least
    for pid, g in data.items():
        assert g["split"] == split and g["source_url"] == sources[pid]
        assert sources[pid] in listed, f"{pid}: URL not listed beside the gold"
        assert g["site"] in statements.SOURCE_KIND
        lines = (folder / "pages" / f"{pid}.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) >= 3 and all(line.strip() for line in lines), pid
        spellings = {a for names in g["people"] for a in names}
        for kind, person in g["events"] + g["optional_events"]:
            assert person in spellings, f"{pid}: {kind} {person} is no gold person"
