"""dinsos-bot: the service (settings, database, channels, web, CLI)."""
