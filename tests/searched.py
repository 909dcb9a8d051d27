"""What a pipeline run searched: the status line its tests read it from."""

from __future__ import annotations

from collections.abc import Iterable

from rag.events import Event, Status


def search_line(events: Iterable[Event]) -> str:
    """The status line saying what the pipeline searched ("Searching knowledge base…", "Searching for: …")."""
    return next(event.message for event in events if isinstance(event, Status) and event.stage == "retrieve")
