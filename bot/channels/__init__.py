"""Channels: one folder per provider; inbound.py verifies and parses, outbound.py sends."""
