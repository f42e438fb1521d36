"""The operations tests use the cases tests' app in process on a real database, and their signed-in officers."""

from tests.bot.cases.conftest import api

__all__ = ["api"]
