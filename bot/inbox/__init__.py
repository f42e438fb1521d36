"""The officers' shared inbox: conversations handed over by the bot, officers' replies and private notes."""
