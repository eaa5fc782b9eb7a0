"""Ambulance and hospital feeds: formats, validation and the identifiable-data guard (docs/feeds.md)."""
