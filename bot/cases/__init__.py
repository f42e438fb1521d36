"""Complaint cases, a domain of their own: opening one from the chat form, moving it through the agency's
procedure on its working calendar, and what the citizen is told at each step.

Functions here run inside the caller's transaction (a ``Session``) and return ``Notice``s, the messages the
change causes; the caller queues them in the outbox in the same transaction (``bot.messaging.casework`` for
the chat, the API for officers), so no step is recorded without its message, or the reverse.
"""
