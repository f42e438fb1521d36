"""The dashboard: how the service is doing, as tables for charts and exports."""
