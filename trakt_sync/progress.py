"""How a running sync says how far it got.

One small protocol for every watcher: the CLI's spinner and the web page's live progress
both implement it, and the engine only ever calls it. Stages, in order: ``fetch`` (plays
read from Trakt; ``total`` grows with them), ``resolve`` (groups matched), ``apply``
(Bangumi subjects written) or ``send`` (plays sent to Bangumi-syncer)."""

from __future__ import annotations

from typing import Protocol

STAGES = ("fetch", "resolve", "apply", "send")


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...
