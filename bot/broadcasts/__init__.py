"""Broadcasts: announcements (schedules) sent to the citizens who subscribed, paced, one row per recipient."""
