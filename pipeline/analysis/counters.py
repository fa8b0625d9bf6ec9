"""What one analysis stage did, and its progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class AnalyseCounters:
    documents: int = 0
    skipped_language: int = 0
    mentions: int = 0
    events: int = 0
    new_events: int = 0
    alerts: int = 0
    errors: int = 0  # failed analyses (each is that document's failure, see record_failure)
    parked: int = 0  # documents parked this pass after their last allowed attempt
    truncated: int = 0  # texts analysed only up to [analysis] max_text_chars
    model_loaded: bool = False
    error_urls: list[str] = field(default_factory=list)
    failed_ids: set[int] = field(default_factory=set)  # not claimed again in this pass

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d.pop("error_urls")
        d.pop("failed_ids")
        return d


class _Progress:
    """Documents done out of a total that grows while a crawl keeps storing documents."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0

    def step(self, n: int = 1) -> None:
        self.done += n
        self.total = max(self.total, self.done)
        if self.callback:
            self.callback(self.done, self.total)
