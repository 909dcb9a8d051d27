"""The one base class of the errors a user sees: their message is written for the person who
caused or can fix them, so every front end shows it as it is (a bug is any other exception)."""

from __future__ import annotations


class RagError(Exception):
    """A failure the user can act on; the message says what failed and what to check."""
