"""The one exception the engine raises for bad arguments."""

from __future__ import annotations


class EngineError(ValueError):
    """An argument broke one of an operator's rules.

    The message always names the parameter, the value it was given and the rule it broke, e.g.
    ``stride=0: must be at least 1``. It is a ``ValueError``, so callers that catch that keep
    working.
    """
