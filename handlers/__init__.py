"""The conversation: engine, replies, message texts. No I/O."""
