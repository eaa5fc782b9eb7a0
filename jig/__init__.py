"""Feeds, risk ratings and the Joint Intelligence Group (models arrive in later issues)."""
