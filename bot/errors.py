"""Errors the service's own operations raise; the web layer maps them to HTTP in one place (``bot.web.errors``)."""

from __future__ import annotations


class NotFound(LookupError):
    """The object asked for does not exist (or is not visible to the caller): 404."""


class Conflict(Exception):
    """The object is not in a state that allows the action: 409, with the reason."""
