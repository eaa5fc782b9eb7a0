"""Monthly returns, quality monitoring visits and action plans (models arrive in later issues)."""
