"""Streaming retrieval-augmented generation: a question in, a stream of typed events out."""

from rag.config import Settings
from rag.events import Done, Error, Event, Hit, Progress, Retrieved, Status, Token
from rag.knowledge import shared_knowledge_base
from rag.pipeline import stream_answer

__all__ = [
    "Done",
    "Error",
    "Event",
    "Hit",
    "Progress",
    "Retrieved",
    "Settings",
    "Status",
    "Token",
    "shared_knowledge_base",
    "stream_answer",
]
